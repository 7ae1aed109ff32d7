package dev.ebb.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ebb.EbbConfig;
import dev.ebb.EbbConfigException;
import dev.ebb.EbbListener;
import dev.ebb.IdleTimeoutPolicy;
import dev.ebb.LoadBalancer;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The state machine on a manual clock: every timing rule without waiting. */
class EbbCoreTest {

    private final ManualScheduler clock = new ManualScheduler();
    private final RecordingAdapter adapter = new RecordingAdapter();

    private EbbConfig.Builder config() {
        return EbbConfig.builder().kubernetes(true).handleSignals(false);
    }

    private EbbCore core(EbbConfig config) {
        return EbbCore.create(config, adapter, clock);
    }

    @Test
    void servingUntilShutdownWithReadinessUp() {
        EbbCore core = core(config().build());
        assertThat(core.phase()).isEqualTo(Phase.SERVING);
        assertThat(core.isReady()).isTrue();
        assertThat(core.probeStatus("/ready")).isEqualTo(200);
        assertThat(core.probeStatus("/live")).isEqualTo(200);
        assertThat(core.probeStatus("/work")).isZero();
        core.requestStarted();
        assertThat(core.closeConnection()).isFalse();
        core.requestFinished();
        assertThat(adapter.calls).isEmpty();
    }

    @Test
    void deregisteringLastsExactlyTheDelayThenDrains() {
        EbbCore core = core(config().build());
        CompletableFuture<ShutdownReport> stopped = core.shutdown();

        assertThat(core.phase()).isEqualTo(Phase.DEREGISTERING);
        assertThat(core.isReady()).isFalse();
        assertThat(core.probeStatus("/ready")).isEqualTo(503);
        assertThat(core.probeStatus("/live")).isEqualTo(200);
        clock.runDue();
        assertThat(adapter.calls).containsExactly("goaway");

        clock.advance(Duration.ofMillis(9_999));
        assertThat(core.phase()).isEqualTo(Phase.DEREGISTERING);
        assertThat(adapter.calls).doesNotContain("closeListeners");

        clock.advance(Duration.ofMillis(1));
        assertThat(stopped).isCompleted();
        assertThat(adapter.calls).containsExactly("goaway", "closeListeners", "closeIdle", "goingAway", "stop");
        ShutdownReport report = stopped.join();
        assertThat(report.deregistering()).isEqualTo(Duration.ofSeconds(10));
        assertThat(report.idleConnectionsClosed()).isEqualTo(2);
        assertThat(report.clean()).isTrue();
        assertThat(core.phase()).isEqualTo(Phase.STOPPED);
        assertThat(core.isLive()).isFalse();
        assertThat(clock.closed()).isTrue();
    }

    @Test
    void everyResponseClosesItsConnectionOnceShutdownBegins() {
        EbbCore core = core(config().build());
        core.requestStarted();
        core.shutdown();
        assertThat(core.closeConnection()).isTrue();
        core.requestFinished();
        core.requestStarted();
        assertThat(core.closeConnection()).isTrue();
        core.requestFinished();
        clock.advance(Duration.ofSeconds(10));
        ShutdownReport report = core.stopped().join();
        assertThat(report.connectionCloseResponses()).isEqualTo(2);
        assertThat(report.requestsWhileDeregistering()).isEqualTo(1);
    }

    @Test
    void drainEndsWhenTheLastRequestFinishesNotAtTheTimeout() {
        EbbCore core = core(config().build());
        core.requestStarted();
        core.requestStarted();
        core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        assertThat(core.phase()).isEqualTo(Phase.DRAINING);

        clock.advance(Duration.ofSeconds(3));
        core.requestFinished();
        clock.runDue();
        assertThat(core.phase()).isEqualTo(Phase.DRAINING);

        core.requestFinished();
        clock.runDue();
        assertThat(core.phase()).isEqualTo(Phase.STOPPED);
        ShutdownReport report = core.stopped().join();
        assertThat(report.draining()).isEqualTo(Duration.ofSeconds(3));
        assertThat(report.requestsCompletedWhileDraining()).isEqualTo(2);
        assertThat(report.requestsAborted()).isZero();
        assertThat(report.drainTimedOut()).isFalse();
        assertThat(adapter.calls).doesNotContain("abort");
        assertThat(clock.pending()).as("drain timeout cancelled").isZero();
    }

    @Test
    void drainTimeoutAbortsWhatIsLeftAndCountsIt() {
        EbbCore core = core(config().drainTimeout(Duration.ofSeconds(15)).build());
        core.requestStarted();
        core.requestStarted();
        core.requestStarted();
        core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        core.requestFinished();
        clock.advance(Duration.ofMillis(14_999));
        assertThat(core.phase()).isEqualTo(Phase.DRAINING);

        clock.advance(Duration.ofMillis(1));
        ShutdownReport report = core.stopped().join();
        assertThat(report.requestsAborted()).isEqualTo(2);
        assertThat(report.requestsCompletedWhileDraining()).isEqualTo(1);
        assertThat(report.drainTimedOut()).isTrue();
        assertThat(report.clean()).isFalse();
        assertThat(report.draining()).isEqualTo(Duration.ofSeconds(15));
        assertThat(adapter.calls).containsSubsequence("closeListeners", "closeIdle", "abort", "stop");
    }

    @Test
    void requestsEndedByTheAbortAreNotCountedAsCompleted() {
        EbbCore core = core(config().drainTimeout(Duration.ofSeconds(1)).build());
        core.requestStarted();
        core.shutdown();
        clock.advance(Duration.ofSeconds(11));
        core.requestFinished();
        ShutdownReport report = core.stopped().join();
        assertThat(report.requestsAborted()).isEqualTo(1);
        assertThat(report.requestsCompletedWhileDraining()).isZero();
    }

    @Test
    void zeroDelayDrainsAtOnce() {
        EbbCore core = core(config().deregistrationDelay(Duration.ZERO).build());
        core.shutdown();
        clock.runDue();
        assertThat(core.stopped()).isCompleted();
        assertThat(core.stopped().join().deregistering()).isZero();
    }

    @Test
    void outsideKubernetesTheDefaultDelayIsZero() {
        EbbCore core = core(config().kubernetes(false).build());
        core.shutdown();
        clock.runDue();
        assertThat(core.phase()).isEqualTo(Phase.STOPPED);
    }

    @Test
    void expediteSkipsTheRestOfTheDelay() {
        EbbCore core = core(config().deregistrationDelay(Duration.ofMinutes(1)).terminationGracePeriod(Duration.ofMinutes(5)).build());
        core.requestStarted();
        core.shutdown();
        clock.advance(Duration.ofSeconds(2));
        core.expedite();
        clock.runDue();
        assertThat(core.phase()).isEqualTo(Phase.DRAINING);
        clock.advance(Duration.ofMinutes(1));
        assertThat(adapter.calls.stream().filter("closeListeners"::equals)).hasSize(1);
    }

    @Test
    void expediteWhileDrainingAbortsTheDrain() {
        EbbCore core = core(config().build());
        core.requestStarted();
        core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(1));
        core.expedite();
        clock.runDue();
        ShutdownReport report = core.stopped().join();
        assertThat(report.requestsAborted()).isEqualTo(1);
        assertThat(report.draining()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void expediteBeforeShutdownDoesNothing() {
        EbbCore core = core(config().build());
        core.expedite();
        clock.advance(Duration.ofMinutes(5));
        assertThat(core.phase()).isEqualTo(Phase.SERVING);
        assertThat(adapter.calls).isEmpty();
    }

    @Test
    void repeatedShutdownCallsShareOneSequence() {
        EbbCore core = core(config().build());
        CompletableFuture<ShutdownReport> first = core.shutdown();
        clock.advance(Duration.ofSeconds(3));
        assertThat(core.shutdown()).isSameAs(first);
        clock.advance(Duration.ofSeconds(7));
        assertThat(core.shutdown()).isSameAs(first);
        assertThat(adapter.calls.stream().filter("stop"::equals)).hasSize(1);
        assertThat(first.join().deregistering()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void listenersSeeEveryTransitionAndAFailingOneDoesNotStopTheSequence() {
        EbbCore core = core(config().build());
        List<String> seen = new CopyOnWriteArrayList<>();
        core.addListener(new EbbListener() {
            @Override
            public void onPhase(Phase from, Phase to) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onStopped(ShutdownReport report) {
                throw new IllegalStateException("listener bug");
            }
        });
        core.addListener(new EbbListener() {
            @Override
            public void onPhase(Phase from, Phase to) {
                seen.add(from + ">" + to);
            }

            @Override
            public void onStopped(ShutdownReport report) {
                seen.add("report");
            }
        });
        core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        assertThat(seen).containsExactly("SERVING>DEREGISTERING", "DEREGISTERING>DRAINING", "DRAINING>STOPPED", "report");
        assertThat(core.stopped()).isCompleted();
    }

    @Test
    void aFailingAdapterStepIsLoggedAndTheSequenceGoesOn() {
        adapter.failOnCloseListeners = new IllegalStateException("port busy");
        adapter.failOnStop = new Exception("stop failed");
        EbbCore core = core(config().build());
        core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        ShutdownReport report = core.stopped().join();
        assertThat(adapter.calls).containsSubsequence("closeListeners", "closeIdle", "stop");
        assertThat(report.stopError()).hasMessage("stop failed");
        assertThat(report.clean()).isFalse();
    }

    @Test
    void disabledEbbStopsTheServerDirectly() {
        EbbCore core = core(config().enabled(false).build());
        core.requestStarted();
        core.shutdown();
        assertThat(core.closeConnection()).isFalse();
        clock.runDue();
        assertThat(adapter.calls).containsExactly("stop");
        assertThat(core.phase()).isEqualTo(Phase.STOPPED);
        assertThat(core.applyKeepAlive()).isEmpty();
    }

    @Test
    void perRequestHooksDoNotCountProbesOrGoNegative() {
        EbbCore core = core(config().build());
        assertThat(core.inFlightRequests()).isZero();
        core.requestStarted();
        assertThat(core.inFlightRequests()).isEqualTo(1);
        core.requestFinished();
        assertThat(core.inFlightRequests()).isZero();
    }

    // ---- keep-alive policy ----

    @Test
    void keepAliveIsRaisedAboveTheLoadBalancersWithTheMinimumMargin() {
        EbbCore core = core(config().loadBalancer(LoadBalancer.AWS_ALB).build());
        assertThat(core.applyKeepAlive()).contains(Duration.ofSeconds(66));
        assertThat(adapter.calls).containsExactly("keepAlive PT1M6S");
        assertThat(core.plan()).contains("server keep-alive 66s > aws-alb 60s").contains("terminationGracePeriodSeconds >= 30");
    }

    @Test
    void keepAliveMarginIsAtLeastFiveSeconds() {
        EbbCore core = core(config().loadBalancerIdleTimeout(Duration.ofSeconds(20)).build());
        assertThat(core.applyKeepAlive()).contains(Duration.ofSeconds(25));
    }

    @Test
    void noLoadBalancerLeavesTheServerAlone() {
        EbbCore core = core(config().build());
        assertThat(core.applyKeepAlive()).isEmpty();
        assertThat(adapter.calls).isEmpty();
        assertThat(core.plan()).contains("left as is");
    }

    @Test
    void explicitServerTimeoutBelowTheLoadBalancersStopsStartUp() {
        adapter.keepAlive = KeepAlive.explicit(Duration.ofSeconds(30));
        EbbCore core = core(config().loadBalancer(LoadBalancer.AWS_ALB).build());
        assertThatThrownBy(core::applyKeepAlive).isInstanceOf(EbbConfigException.class)
                .hasMessageContaining("30s").hasMessageContaining("aws-alb idle timeout 60s")
                .hasMessageContaining("Fix:").hasMessageContaining("ebb.idle-timeout-policy=warn");
        assertThat(adapter.calls).isEmpty();
    }

    @Test
    void explicitServerTimeoutAboveTheLoadBalancersIsKept() {
        adapter.keepAlive = KeepAlive.explicit(Duration.ofSeconds(120));
        EbbCore core = core(config().loadBalancer(LoadBalancer.AWS_ALB).build());
        assertThat(core.applyKeepAlive()).isEmpty();
        assertThat(adapter.calls).isEmpty();
        assertThat(core.plan()).contains("server keep-alive 2m (kept) vs aws-alb 60s");
    }

    @Test
    void warnPolicyKeepsAnExplicitTimeoutBelowTheLoadBalancers() {
        adapter.keepAlive = KeepAlive.explicit(Duration.ofSeconds(30));
        EbbCore core = core(config().loadBalancer(LoadBalancer.AWS_ALB).idleTimeoutPolicy(IdleTimeoutPolicy.WARN).build());
        assertThat(core.applyKeepAlive()).isEmpty();
        assertThat(adapter.calls).isEmpty();
    }

    @Test
    void failPolicyRefusesTheServersDefaultWhenTooShortAndNeverChangesIt() {
        adapter.keepAlive = KeepAlive.serverDefault(Duration.ofSeconds(30));
        EbbCore failing = core(config().loadBalancer(LoadBalancer.AWS_ALB).idleTimeoutPolicy(IdleTimeoutPolicy.FAIL).build());
        assertThatThrownBy(failing::applyKeepAlive).isInstanceOf(EbbConfigException.class)
                .hasMessageContaining("ebb.idle-timeout-policy=fail").hasMessageContaining("the server's default");

        adapter.keepAlive = KeepAlive.serverDefault(Duration.ofSeconds(90));
        EbbCore passing = core(config().loadBalancer(LoadBalancer.AWS_ALB).idleTimeoutPolicy(IdleTimeoutPolicy.FAIL).build());
        assertThat(passing.applyKeepAlive()).isEmpty();
        assertThat(adapter.calls).isEmpty();
    }

    @Test
    void serverWithoutAnyKeepAliveTimeoutGetsOneWhenALoadBalancerIsKnown() {
        adapter.keepAlive = KeepAlive.none();
        EbbCore core = core(config().loadBalancer(LoadBalancer.GCP).build());
        assertThat(core.applyKeepAlive()).contains(Duration.ofSeconds(660));
    }

    @Test
    void drainWaitsForUpgradedConnectionsToCloseAndCountsThem() {
        EbbCore core = core(config().build());
        adapter.upgraded = 2;
        core.requestStarted();
        core.upgradeOpened();
        core.requestFinished();
        core.requestStarted();
        core.upgradeOpened();
        core.requestFinished();
        assertThat(core.upgradedConnections()).isEqualTo(2);
        assertThat(core.inFlightRequests()).isZero();
        CompletableFuture<ShutdownReport> stopped = core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        assertThat(core.phase()).isEqualTo(Phase.DRAINING);
        assertThat(adapter.calls).containsExactly("goaway", "closeListeners", "closeIdle", "goingAway");

        core.upgradeClosed();
        clock.runDue();
        assertThat(stopped).isNotDone();
        core.upgradeClosed();
        clock.runDue();
        ShutdownReport report = stopped.join();
        assertThat(report.webSocketsClosed()).isEqualTo(2);
        assertThat(report.webSocketsAborted()).isZero();
        assertThat(report.clean()).isTrue();
        assertThat(report.toString()).contains("2 WebSockets closed with 1001, 0 aborted");
    }

    @Test
    void webSocketWhoseClosingHandshakeEndsBeforeTheAdapterReturnsIsCountedAsClosedWith1001() {
        EbbCore core = core(config().build());
        core.upgradeOpened();
        adapter.upgraded = 1;
        adapter.onGoingAway = () -> { // the client answered the close frame at once, and Ebb's thread ran on
            core.upgradeClosed();
            clock.runDue();
        };
        CompletableFuture<ShutdownReport> stopped = core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        ShutdownReport report = stopped.join();
        assertThat(report.webSocketsClosed()).isEqualTo(1);
        assertThat(report.webSocketsAborted()).isZero();
        assertThat(report.clean()).isTrue();
    }

    @Test
    void upgradedConnectionStillOpenAtTheDrainTimeoutIsAborted() {
        EbbCore core = core(config().drainTimeout(Duration.ofSeconds(5)).build());
        adapter.upgraded = 1;
        core.upgradeOpened();
        CompletableFuture<ShutdownReport> stopped = core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(5));
        ShutdownReport report = stopped.join();
        assertThat(adapter.calls).contains("abort");
        assertThat(report.webSocketsAborted()).isEqualTo(1);
        assertThat(report.webSocketsClosed()).isZero();
        assertThat(report.drainTimedOut()).isTrue();
        assertThat(report.clean()).isFalse();
    }

    @Test
    void drainEndsOnTheLastRequestOnlyOnceUpgradedConnectionsHaveClosedToo() {
        EbbCore core = core(config().build());
        core.upgradeOpened();
        core.requestStarted();
        CompletableFuture<ShutdownReport> stopped = core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        core.upgradeClosed();
        clock.runDue();
        assertThat(stopped).as("a request is still in flight").isNotDone();
        core.requestFinished();
        clock.runDue();
        assertThat(stopped.join().clean()).isTrue();
    }

    @Test
    void onDrainingRunsOnceWhenDrainingBeginsAndAtOnceAfterwards() {
        EbbCore core = core(config().build());
        List<String> ran = new CopyOnWriteArrayList<>();
        core.onDraining(() -> ran.add("early:" + core.phase()));
        core.onDraining(() -> {
            throw new IllegalStateException("an application bug");
        });
        core.shutdown();
        clock.runDue();
        assertThat(ran).isEmpty();
        core.requestStarted();
        clock.advance(Duration.ofSeconds(10));
        assertThat(ran).containsExactly("early:DRAINING");
        assertThat(adapter.calls).as("before the listener closes").containsSequence("goaway", "closeListeners");
        core.onDraining(() -> ran.add("late"));
        assertThat(ran).containsExactly("early:DRAINING", "late");
        core.requestFinished();
        clock.runDue();
        assertThat(core.phase()).isEqualTo(Phase.STOPPED);
        assertThat(ran).hasSize(2);
    }

    @Test
    void requestFinishedTwiceDoesNotHideARequestStillInFlight() {
        EbbCore core = core(config().build());
        core.requestStarted();
        core.requestFinished();
        core.requestFinished(); // an adapter bug: logged once, not allowed to cancel out the next request
        assertThat(core.inFlightRequests()).isZero();
        core.requestStarted();
        CompletableFuture<ShutdownReport> stopped = core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        assertThat(stopped).as("the drain waits for the request still in flight").isNotDone();
        core.requestFinished();
        clock.runDue();
        assertThat(stopped.join().clean()).isTrue();
    }

    @Test
    void drainCutShortBySecondSignalIsReportedAsSuchNotAsATimeout() {
        EbbCore core = core(config().build());
        core.requestStarted();
        CompletableFuture<ShutdownReport> stopped = core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        core.expedite();
        clock.runDue();
        ShutdownReport report = stopped.join();
        assertThat(report.expedited()).isTrue();
        assertThat(report.drainTimedOut()).isFalse();
        assertThat(report.requestsAborted()).isEqualTo(1);
        assertThat(report.clean()).isFalse();
        assertThat(report.toString()).contains("cut short by a second signal").doesNotContain("timed out");
    }

    @Test
    void drainTimeoutIsReportedAsATimeoutNotAsExpedited() {
        EbbCore core = core(config().build());
        core.requestStarted();
        CompletableFuture<ShutdownReport> stopped = core.shutdown();
        clock.advance(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(15));
        ShutdownReport report = stopped.join();
        assertThat(report.drainTimedOut()).isTrue();
        assertThat(report.expedited()).isFalse();
    }

    @Test
    void drainDeadlineHoldsWhenTheServerBlocksInEveryCall() throws Exception {
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        ServerAdapter blocked = new RecordingAdapter() {
            @Override
            public void closeListeners() {
                block();
            }

            @Override
            public int closeIdleConnections() {
                block();
                return 0;
            }

            @Override
            public int abortConnections() {
                block();
                return 0;
            }

            @Override
            public void stop() {
                block();
            }

            private void block() {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        EbbCore core = EbbCore.create(config().deregistrationDelay(Duration.ZERO).drainTimeout(Duration.ofMillis(300))
                .terminationGracePeriod(Duration.ofSeconds(30)).build(), blocked);
        try {
            core.requestStarted();
            ShutdownReport report = core.shutdown().get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(report.drainTimedOut()).isTrue();
            assertThat(report.requestsAborted()).isEqualTo(1);
            assertThat(report.stopError()).isInstanceOf(java.util.concurrent.TimeoutException.class);
            assertThat(report.draining()).as("the server's blocked calls do not push the deadline back")
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(report.total()).as("within delay + drain + stop margin, give or take scheduling")
                    .isLessThan(Duration.ofSeconds(20));
        } finally {
            never.countDown();
        }
    }

    @Test
    void behindAPassThroughLoadBalancerTheServersShorterKeepAliveIsKept() {
        adapter.keepAlive = KeepAlive.serverDefault(Duration.ofSeconds(30));
        EbbCore core = core(config().loadBalancer(LoadBalancer.AWS_NLB).build());
        assertThat(core.applyKeepAlive()).isEmpty();
        assertThat(adapter.calls).as("never stretched towards the flow timeout").isEmpty();
        assertThat(core.plan()).contains("server keep-alive 30s (kept) vs aws-nlb flow idle 350s (pass-through");
    }

    @Test
    void behindAPassThroughLoadBalancerAServerThatNeverClosesIdleConnectionsGetsAKeepAliveBelowTheFlowTimeout() {
        adapter.keepAlive = KeepAlive.none();
        EbbCore core = core(config().loadBalancer(LoadBalancer.AZURE_LB).build());
        assertThat(core.applyKeepAlive()).contains(Duration.ofSeconds(216));
        assertThat(adapter.calls).containsExactly("keepAlive PT3M36S");
        assertThat(core.plan()).contains("server keep-alive 216s < azure-lb flow idle 4m (pass-through");
    }

    @Test
    void behindAPassThroughLoadBalancerAnExplicitKeepAliveAboveTheFlowTimeoutIsRefused() {
        adapter.keepAlive = KeepAlive.explicit(Duration.ofSeconds(600));
        EbbCore core = core(config().loadBalancer(LoadBalancer.AWS_NLB).build());
        assertThatThrownBy(core::applyKeepAlive).isInstanceOf(EbbConfigException.class)
                .hasMessageContaining("set by the application to 10m")
                .hasMessageContaining("expected less than the aws-nlb flow idle timeout 350s")
                .hasMessageContaining("set it below 350s");
    }
}
