package dev.ebb.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ebb.EbbConfig;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * When the load balancer lets go: the report's figures, and the delay that ends early once dense traffic has
 * gone quiet, on a manual clock.
 */
class AdaptiveDeregistrationTest {

    private final ManualScheduler clock = new ManualScheduler();
    private final RecordingAdapter adapter = new RecordingAdapter();

    private EbbConfig.Builder config() {
        return EbbConfig.builder().kubernetes(true).handleSignals(false).deregistrationDelay(Duration.ofSeconds(10));
    }

    private EbbCore started(EbbConfig config) {
        EbbCore core = EbbCore.create(config, adapter, clock);
        core.started();
        return core;
    }

    /** One request every {@code every}, each finished at once, for {@code d}. */
    private void traffic(EbbCore core, Duration d, Duration every) {
        for (long t = 0; t < d.toNanos(); t += every.toNanos()) {
            core.requestStarted();
            core.requestFinished();
            clock.advance(every);
        }
    }

    /** The shutdown, begun now with no request after it, keeps the whole 10 s delay. */
    private void assertFullDelay(EbbCore core) {
        clock.advance(ms(9_999));
        assertThat(core.phase()).isEqualTo(Phase.DEREGISTERING);
        clock.advance(ms(1));
        assertThat(core.phase()).isEqualTo(Phase.STOPPED);
    }

    private static Duration ms(long ms) {
        return Duration.ofMillis(ms);
    }

    @Test
    void denseTrafficEndsTheDelayOnceNoRequestArrivedForTheQuietWindow() {
        EbbCore core = started(config().build());
        traffic(core, Duration.ofSeconds(30), ms(50));
        core.shutdown();
        traffic(core, Duration.ofSeconds(3), ms(50)); // the load balancer lags 3 s
        // Last request at 2.95 s, now 3 s; the window is 3 x (1 + 1) ticks = 600 ms.
        clock.advance(ms(540));
        assertThat(core.phase()).isEqualTo(Phase.DEREGISTERING);
        clock.advance(ms(20));
        assertThat(core.phase()).isEqualTo(Phase.STOPPED);

        ShutdownReport report = core.stopped().join();
        assertThat(report.endedWhenQuiet()).isTrue();
        assertThat(report.quietWindow()).contains(ms(600));
        assertThat(report.deregistering()).isEqualTo(ms(3_550));
        assertThat(report.lastRequest()).contains(ms(2_950));
        assertThat(report.loadBalancerStillSending()).isFalse();
        assertThat(report.toString()).contains("deregistering 3550ms (ended early: no request for 600ms; 60 requests served")
                .contains("load balancer let go 3.0s after SIGTERM (last connection none, last request 3.0s)");
        assertThat(clock.pending()).as("delay, quiet check and sampler all cancelled").isZero();
    }

    @Test
    void sparseTrafficKeepsTheFullDelay() {
        EbbCore core = started(config().build());
        traffic(core, Duration.ofSeconds(60), Duration.ofSeconds(2));
        core.shutdown();
        assertFullDelay(core);
        ShutdownReport report = core.stopped().join();
        assertThat(report.deregistering()).isEqualTo(Duration.ofSeconds(10));
        assertThat(report.quietWindow()).isEmpty();
        assertThat(report.endedWhenQuiet()).isFalse();
    }

    @Test
    void burstyTrafficKeepsTheFullDelay() {
        EbbCore core = started(config().build());
        for (int burst = 0; burst < 12; burst++) {
            traffic(core, Duration.ofSeconds(1), ms(10)); // 1 s of dense traffic every 5 s
            clock.advance(Duration.ofSeconds(4));
        }
        core.shutdown();
        assertFullDelay(core);
        assertThat(core.stopped().join().quietWindow()).isEmpty();
    }

    @Test
    void aSilenceBeforeTheShutdownCountsAsAGap() {
        EbbCore core = started(config().build());
        traffic(core, Duration.ofSeconds(30), ms(50));
        clock.advance(Duration.ofSeconds(3)); // the load balancer had already stopped for a while
        core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        assertThat(core.stopped().join().deregistering()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void tooLittleHistoryKeepsTheFullDelay() {
        EbbCore core = started(config().build());
        traffic(core, Duration.ofSeconds(4), ms(10));
        core.shutdown();
        assertFullDelay(core);
        assertThat(core.phase()).isEqualTo(Phase.STOPPED);
    }

    @Test
    void neverEndsBeforeTheLeastDelay() {
        EbbCore core = started(config().minDeregistrationDelay(Duration.ofSeconds(3)).build());
        traffic(core, Duration.ofSeconds(30), ms(50));
        core.shutdown(); // the load balancer let go before the shutdown began
        clock.advance(ms(2_999));
        assertThat(core.phase()).isEqualTo(Phase.DEREGISTERING);
        clock.advance(ms(1));
        ShutdownReport report = core.stopped().join();
        assertThat(report.deregistering()).isEqualTo(Duration.ofSeconds(3));
        assertThat(report.endedWhenQuiet()).isTrue();
        assertThat(report.lastRequest()).isEmpty();
        assertThat(report.toString()).contains("load balancer let go at SIGTERM (no request after it)");
    }

    @Test
    void neverEndsAfterTheDelayAndWarnsWhenTheLoadBalancerStillSends() {
        EbbCore core = started(config().build());
        traffic(core, Duration.ofSeconds(30), ms(50));
        core.shutdown();
        traffic(core, Duration.ofSeconds(10), ms(50));
        assertThat(core.phase()).isEqualTo(Phase.STOPPED);
        ShutdownReport report = core.stopped().join();
        assertThat(report.deregistering()).isEqualTo(Duration.ofSeconds(10));
        assertThat(report.endedWhenQuiet()).isFalse();
        assertThat(report.loadBalancerStillSending()).isTrue();
        assertThat(report.lastRequest()).contains(ms(9_950));
        assertThat(report.toString()).contains("load balancer let go 10.0s after SIGTERM")
                .contains("still sending at the end of the delay: raise ebb.deregistration-delay");
        assertThat(EbbCore.stillSendingWarning(ms(9_800), Duration.ofSeconds(10)))
                .isEqualTo("the load balancer was still sending 9.8s after SIGTERM; raise ebb.deregistration-delay (now 10s)");
    }

    @Test
    void noWarningWhenTheLastRequestCameMoreThanASecondBeforeTheEnd() {
        EbbCore core = started(config().adaptiveDeregistration(false).build());
        traffic(core, Duration.ofSeconds(30), ms(50));
        core.shutdown();
        traffic(core, Duration.ofSeconds(8), ms(50));
        clock.advance(Duration.ofSeconds(2));
        ShutdownReport report = core.stopped().join();
        assertThat(report.loadBalancerStillSending()).isFalse();
        assertThat(report.lastRequest()).contains(ms(7_950));
    }

    @Test
    void switchedOffKeepsTheFullDelayAndSamplesNothing() {
        EbbCore core = started(config().adaptiveDeregistration(false).build());
        assertThat(clock.pending()).as("no sampler").isZero();
        traffic(core, Duration.ofSeconds(30), ms(50));
        core.shutdown();
        traffic(core, Duration.ofSeconds(1), ms(50));
        clock.advance(ms(8_999));
        assertThat(core.phase()).isEqualTo(Phase.DEREGISTERING);
        clock.advance(ms(1));
        ShutdownReport report = core.stopped().join();
        assertThat(report.deregistering()).isEqualTo(Duration.ofSeconds(10));
        assertThat(report.quietWindow()).isEmpty();
        assertThat(report.lastRequest()).contains(ms(950));
    }

    @Test
    void behindAPassThroughLoadBalancerTheFullDelayApplies() {
        EbbCore core = started(config().loadBalancer(dev.ebb.LoadBalancer.AWS_NLB).build());
        assertThat(clock.pending()).as("no sampler").isZero();
        traffic(core, Duration.ofSeconds(30), ms(50));
        core.shutdown();
        assertFullDelay(core);
        assertThat(core.stopped().join().quietWindow()).isEmpty();
    }

    @Test
    void reportsTheLastConnectionThatCarriedARequestNotLaterProbeConnections() {
        EbbCore core = started(config().adaptiveDeregistration(false).build());
        core.connectionAccepted(); // while serving: not noted
        core.shutdown();
        clock.advance(ms(1_000));
        core.connectionAccepted();
        clock.advance(ms(100));
        core.requestStarted();
        core.requestFinished();
        clock.advance(ms(4_000));
        core.connectionAccepted(); // a health check's connection: no request on it
        clock.advance(ms(4_900));
        ShutdownReport report = core.stopped().join();
        assertThat(report.lastConnection()).contains(ms(1_000));
        assertThat(report.lastRequest()).contains(ms(1_100));
        assertThat(report.loadBalancerLetGo()).isEqualTo(ms(1_100));
        assertThat(report.toString()).contains("load balancer let go 1.1s after SIGTERM (last connection 1.0s, last request 1.1s)");
    }

    @Test
    void aSecondSignalStillCutsTheDelayShort() {
        EbbCore core = started(config().build());
        traffic(core, Duration.ofSeconds(30), ms(50));
        core.shutdown();
        clock.runDue();
        core.expedite();
        clock.runDue();
        ShutdownReport report = core.stopped().join();
        assertThat(report.expedited()).isTrue();
        assertThat(report.endedWhenQuiet()).isFalse();
        assertThat(report.deregistering()).isZero();
        assertThat(clock.pending()).isZero();
    }
}
