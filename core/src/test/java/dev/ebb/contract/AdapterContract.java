package dev.ebb.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.EbbListener;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every adapter must show, over real sockets against its real server. An adapter's test
 * extends this class and implements {@link #start(EbbConfig)}.
 *
 * <p>The server under test must serve, besides Ebb's probe paths, {@code GET} and {@code POST}
 * {@code /work?ms=N}, answering 200 after N ms without blocking an event loop. Tests drive the phases
 * with {@link Ebb#expedite()} rather than waiting for delays to pass: the deregistration delay is
 * a minute, so nothing moves on unless a test says so.
 */
public abstract class AdapterContract {

    /** A server started for one test. */
    public interface RunningServer {
        /** The port it listens on, on 127.0.0.1. */
        int port();

        /** Its Ebb handle. */
        Ebb ebb();

        /** Releases whatever is left after Ebb stopped the server (threads, pools). */
        void close() throws Exception;

        /** A running server from its port, its Ebb handle and what {@link #close()} does. */
        static RunningServer of(int port, Ebb ebb, Cleanup cleanup) {
            return new RunningServer() {
                @Override
                public int port() {
                    return port;
                }

                @Override
                public Ebb ebb() {
                    return ebb;
                }

                @Override
                public void close() throws Exception {
                    cleanup.run();
                }
            };
        }
    }

    /** What is left to release once Ebb has stopped a server. */
    @FunctionalInterface
    public interface Cleanup {
        /** Releases it. */
        void run() throws Exception;
    }

    /**
     * Starts the server with Ebb installed with {@code config}, on an ephemeral port of 127.0.0.1. Ebb
     * must not take OS signals in tests ({@code config.handleSignals()} is false).
     */
    protected abstract RunningServer start(EbbConfig config) throws Exception;

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<RunningServer> servers = new ArrayList<>();

    /** The base configuration: a one-minute delay that only {@link Ebb#expedite()} ends. */
    protected EbbConfig.Builder config() {
        return EbbConfig.builder()
                .kubernetes(false)
                .handleSignals(false)
                .deregistrationDelay(Duration.ofSeconds(60))
                .drainTimeout(Duration.ofSeconds(20))
                .terminationGracePeriod(Duration.ofSeconds(120));
    }

    private RunningServer run(EbbConfig config) throws Exception {
        RunningServer s = start(config);
        servers.add(s);
        return s;
    }

    @AfterEach
    void stopServers() throws Exception {
        for (RunningServer s : servers) {
            Ebb ebb = s.ebb();
            CompletableFuture<ShutdownReport> f = ebb.shutdown();
            await().atMost(WAIT).until(() -> {
                ebb.expedite();
                return f.isDone();
            });
            s.close();
        }
    }

    @Test
    void readinessFailsWhileWorkStillAnswers() throws Exception {
        RunningServer server = run(config().build());
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/ready").status()).isEqualTo(200);
            assertThat(c.get("/live").status()).isEqualTo(200);
        }

        server.ebb().shutdown();

        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/ready").status()).isEqualTo(503);
        }
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/live").status()).isEqualTo(200);
        }
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/work?ms=10").status()).isEqualTo(200);
        }
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.send("POST", "/work?ms=10").read().status()).isEqualTo(200);
        }
        assertThat(server.ebb().phase()).isEqualTo(Phase.DEREGISTERING);
    }

    @Test
    void newConnectionsAreAcceptedWhileDeregisteringAndClosedAfterTheirResponse() throws Exception {
        RunningServer server = run(config().build());
        server.ebb().shutdown();

        for (int i = 0; i < 3; i++) {
            try (RawHttp c = RawHttp.connect(server.port())) {
                RawHttp.Response r = c.get("/work?ms=1");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.connectionClose()).as("Connection: close while deregistering").isTrue();
                assertThat(c.closedByServerWithin(WAIT)).as("socket closed after the response").isTrue();
            }
        }
        assertThat(server.ebb().phase()).isEqualTo(Phase.DEREGISTERING);
    }

    @Test
    void keepAliveConnectionFromBeforeIsClosedAfterItsNextResponse() throws Exception {
        RunningServer server = run(config().build());
        try (RawHttp c = RawHttp.connect(server.port())) {
            RawHttp.Response before = c.get("/work?ms=1");
            assertThat(before.status()).isEqualTo(200);
            assertThat(before.connectionClose()).as("keep-alive while serving").isFalse();

            server.ebb().shutdown();

            RawHttp.Response after = c.get("/work?ms=1");
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.connectionClose()).isTrue();
            assertThat(c.closedByServerWithin(WAIT)).isTrue();
        }
    }

    @Test
    void drainingRefusesConnectsClosesIdleConnectionsAndCompletesInFlightRequests() throws Exception {
        RunningServer server = run(config().build());
        Ebb ebb = server.ebb();
        try (RawHttp idle = RawHttp.connect(server.port()); RawHttp busy = RawHttp.connect(server.port())) {
            assertThat(idle.get("/work?ms=1").connectionClose()).isFalse();
            busy.send("GET", "/work?ms=4000");
            await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);

            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            ebb.expedite();

            await().atMost(WAIT).until(() -> RawHttp.refuses(server.port()));
            assertThat(idle.closedByServerWithin(WAIT)).as("idle keep-alive connection sees EOF").isTrue();
            RawHttp.Response r = busy.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.connectionClose()).isTrue();

            ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(report.requestsCompletedWhileDraining()).isEqualTo(1);
            assertThat(report.idleConnectionsClosed()).isGreaterThanOrEqualTo(1);
            assertThat(report.requestsAborted()).isZero();
            assertThat(report.clean()).isTrue();
            assertThat(ebb.phase()).isEqualTo(Phase.STOPPED);
            assertThat(ebb.isLive()).isFalse();
        }
    }

    @Test
    void drainEndsAsSoonAsTheLastRequestCompletes() throws Exception {
        RunningServer server = run(config().drainTimeout(Duration.ofSeconds(30)).build());
        Ebb ebb = server.ebb();
        try (RawHttp busy = RawHttp.connect(server.port())) {
            busy.send("GET", "/work?ms=1500");
            await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);
            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            ebb.expedite();
            assertThat(busy.read().status()).isEqualTo(200);
            long responded = System.nanoTime();
            ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            long stoppedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - responded);
            System.out.printf("[contract] %s: STOPPED %d ms after the last response (draining %s, stopping %s)%n",
                    getClass().getSimpleName(), stoppedAfterMs, report.draining().toMillis() + "ms",
                    report.stopping().toMillis() + "ms");
            // Event-driven: far from the 30 s drain timeout even on a loaded machine.
            assertThat(report.drainTimedOut()).isFalse();
            assertThat(report.draining()).isLessThan(Duration.ofSeconds(15));
            assertThat(stoppedAfterMs).isLessThan(15_000);
        }
    }

    @Test
    void requestLongerThanTheDrainTimeoutIsAbortedAndCounted() throws Exception {
        RunningServer server = run(config().drainTimeout(Duration.ofMillis(500)).build());
        Ebb ebb = server.ebb();
        try (RawHttp busy = RawHttp.connect(server.port())) {
            busy.send("GET", "/work?ms=60000");
            await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);
            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            ebb.expedite();

            ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(report.requestsAborted()).isEqualTo(1);
            assertThat(report.drainTimedOut()).isTrue();
            assertThat(report.clean()).isFalse();
            assertThatThrownBy(busy::read).as("the aborted request gets no response").isInstanceOf(IOException.class);
        }
    }

    @Test
    void keepAliveIdleTimeoutIsAboveTheLoadBalancers() throws Exception {
        Duration lb = Duration.ofSeconds(1);
        RunningServer server = run(config().loadBalancerIdleTimeout(lb).build());
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200);
            long idleSince = System.nanoTime();
            assertThat(c.closedByServerWithin(lb.plusMillis(1000)))
                    .as("connection still open after the load balancer's idle timeout").isFalse();
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200);
            idleSince = System.nanoTime();
            assertThat(c.closedByServerWithin(Duration.ofSeconds(30))).as("closed eventually").isTrue();
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince);
            System.out.printf("[contract] %s: idle keep-alive connection closed after %d ms (LB %d ms, planned %s)%n",
                    getClass().getSimpleName(), closedAfter, lb.toMillis(), server.ebb().config().keepAliveTimeout().orElseThrow());
            assertThat(closedAfter).isGreaterThan(lb.toMillis());
        }
    }

    @Test
    void concurrentShutdownCallsRunOneSequence() throws Exception {
        RunningServer server = run(config().deregistrationDelay(Duration.ZERO).build());
        Ebb ebb = server.ebb();
        AtomicInteger deregistering = new AtomicInteger();
        ebb.addListener(new EbbListener() {
            @Override
            public void onPhase(Phase from, Phase to) {
                if (to == Phase.DEREGISTERING) {
                    deregistering.incrementAndGet();
                }
            }
        });
        int threads = 16;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<CompletableFuture<ShutdownReport>>> calls = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                calls.add(pool.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return ebb.shutdown();
                }));
            }
            Set<CompletableFuture<ShutdownReport>> futures = ConcurrentHashMap.newKeySet();
            for (Future<CompletableFuture<ShutdownReport>> f : calls) {
                futures.add(f.get(10, TimeUnit.SECONDS));
            }
            assertThat(futures).hasSize(1);
            futures.iterator().next().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(deregistering).hasValue(1);
            assertThat(ebb.phase()).isEqualTo(Phase.STOPPED);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void secondSignalSkipsTheDelayAndThirdAbortsTheDrain() throws Exception {
        RunningServer server = run(config().deregistrationDelay(Duration.ofMinutes(1)).drainTimeout(Duration.ofMinutes(1))
                .terminationGracePeriod(Duration.ofMinutes(3)).build());
        Ebb ebb = server.ebb();
        CountDownLatch draining = new CountDownLatch(1);
        ebb.addListener(new EbbListener() {
            @Override
            public void onPhase(Phase from, Phase to) {
                if (to == Phase.DRAINING) {
                    draining.countDown();
                }
            }
        });
        try (RawHttp busy = RawHttp.connect(server.port())) {
            busy.send("GET", "/work?ms=60000");
            await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);
            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            assertThat(ebb.phase()).isEqualTo(Phase.DEREGISTERING);

            ebb.expedite();
            assertThat(draining.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("delay skipped").isTrue();
            assertThat(stopped).isNotDone();

            ebb.expedite();
            ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(report.requestsAborted()).isEqualTo(1);
            assertThat(report.deregistering()).isLessThan(Duration.ofMinutes(1));
            assertThat(report.draining()).isLessThan(Duration.ofMinutes(1));
        }
    }

    @Test
    void stoppedServerRefusesConnections() throws Exception {
        RunningServer server = run(config().deregistrationDelay(Duration.ZERO).build());
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200);
        }
        ShutdownReport report = server.ebb().shutdown().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.clean()).isTrue();
        assertThat(RawHttp.refuses(server.port())).isTrue();
    }
}
