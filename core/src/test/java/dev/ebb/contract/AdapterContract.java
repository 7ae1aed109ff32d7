package dev.ebb.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.EbbListener;
import dev.ebb.LoadBalancer;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every adapter must show, over real sockets against its real server. An adapter's test
 * extends this class and implements {@link #start(EbbConfig)}; a second subclass that overrides
 * {@link #tls()} runs the same suite over TLS.
 *
 * <p>The server under test must serve, besides Ebb's probe paths:
 * <ul>
 *   <li>{@code GET} and {@code POST /work?ms=N}: 200 after N ms, without blocking an event loop;</li>
 *   <li>{@code POST /echo}: reads the whole request body, then answers 200 with it;</li>
 *   <li>{@code GET /throw}: the application's handler throws a {@code RuntimeException};</li>
 *   <li>{@code GET /events?ms=N}: a {@code text/event-stream} response, chunked, with one event
 *       {@code data: tick} every N ms, which the application ends (completes normally) when
 *       {@link Ebb#onDraining(Runnable)} runs;</li>
 *   <li>{@code GET /ws[?push=N]}: a WebSocket that echoes every text message and, with {@code push}, also
 *       sends {@code tick} every N ms (unless {@link #webSockets()} is false);</li>
 *   <li>HTTP/2 on the same port, over TLS by ALPN and over cleartext with prior knowledge (unless
 *       {@link #http2()} is false).</li>
 * </ul>
 * Over TLS it serves the {@link TestTls} certificate. Tests drive the phases with {@link Ebb#expedite()}
 * rather than waiting for delays to pass: the deregistration delay is a minute, so nothing moves on unless a
 * test says so. Cases marked "both ways" run once with Ebb and once with {@code ebb.enabled=false}, and
 * the outcomes must match: Ebb may only add the closes it announces.
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

        /** Whether it serves TLS (with the {@link TestTls} certificate). */
        default boolean tls() {
            return false;
        }

        /** A running server from its port, its Ebb handle and what {@link #close()} does. */
        static RunningServer of(int port, Ebb ebb, Cleanup cleanup) {
            return of(port, ebb, false, cleanup);
        }

        /** A running server, over TLS when {@code tls}. */
        static RunningServer of(int port, Ebb ebb, boolean tls, Cleanup cleanup) {
            return new RunningServer() {
                @Override
                public int port() {
                    return port;
                }

                @Override
                public boolean tls() {
                    return tls;
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

    /** Whether {@link #start(EbbConfig)} serves TLS; a TLS subclass overrides this. */
    protected boolean tls() {
        return false;
    }

    /** Whether the server under test serves {@code /ws}; {@code false} only where its server has no WebSocket. */
    protected boolean webSockets() {
        return true;
    }

    /**
     * Whether Ebb itself answers the probe paths (standalone adapters); {@code false} where the framework's
     * own health endpoints do (Spring Boot's Actuator).
     */
    protected boolean ebbAnswersProbes() {
        return true;
    }

    /** Whether the server under test speaks HTTP/2 on its port (TLS: ALPN; cleartext: prior knowledge). */
    protected boolean http2() {
        return true;
    }

    /**
     * The request I/O idle timeout the test server configures on its bare server (no byte read or written
     * during a request), or empty when its server has none. The server must keep its own value short
     * (a few seconds), so that the stalled-body case can watch it expire.
     */
    protected Optional<Duration> requestIdleTimeout() {
        return Optional.empty();
    }

    /**
     * Whether the adapter reports every new connection to Ebb ({@code EbbCore.connectionAccepted()}), for the
     * report of when the load balancer let go; {@code false} where the server offers no accept hook Ebb uses.
     */
    protected boolean reportsNewConnections() {
        return true;
    }

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
        try (RawHttp c = RawHttp.connect(server)) {
            assertThat(c.get("/ready").status()).isEqualTo(200);
            assertThat(c.get("/live").status()).isEqualTo(200);
        }

        server.ebb().shutdown();

        try (RawHttp c = RawHttp.connect(server)) {
            assertThat(c.get("/ready").status()).isEqualTo(503);
        }
        try (RawHttp c = RawHttp.connect(server)) {
            assertThat(c.get("/live").status()).isEqualTo(200);
        }
        try (RawHttp c = RawHttp.connect(server)) {
            assertThat(c.get("/work?ms=10").status()).isEqualTo(200);
        }
        try (RawHttp c = RawHttp.connect(server)) {
            assertThat(c.send("POST", "/work?ms=10").read().status()).isEqualTo(200);
        }
        assertThat(server.ebb().phase()).isEqualTo(Phase.DEREGISTERING);
    }

    @Test
    void probesAreAnsweredAlikeOnEveryAdapter() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ebbAnswersProbes(), "the framework answers the probe paths");
        RunningServer server = run(config().build());
        try (RawHttp c = RawHttp.connect(server)) {
            assertProbe(c.get("/ready"), dev.ebb.spi.ProbeResponse.UP);
            assertProbe(c.get("/live"), dev.ebb.spi.ProbeResponse.UP);
        }
        server.ebb().shutdown();
        try (RawHttp c = RawHttp.connect(server)) {
            RawHttp.Response ready = c.get("/ready");
            assertProbe(ready, dev.ebb.spi.ProbeResponse.DOWN);
            assertThat(ready.connectionClose()).as("Connection: close while shutting down").isTrue();
        }
        try (RawHttp c = RawHttp.connect(server)) {
            assertProbe(c.get("/live"), dev.ebb.spi.ProbeResponse.UP);
        }
    }

    private static void assertProbe(RawHttp.Response r, dev.ebb.spi.ProbeResponse expected) {
        assertThat(r.status()).isEqualTo(expected.status());
        assertThat(r.body()).isEqualTo(expected.body());
        assertThat(r.header("content-type")).isEqualToIgnoringCase(dev.ebb.spi.ProbeResponse.CONTENT_TYPE);
        assertThat(r.header("cache-control")).isEqualTo(dev.ebb.spi.ProbeResponse.CACHE_CONTROL);
    }

    @Test
    void newConnectionsAreAcceptedWhileDeregisteringAndClosedAfterTheirResponse() throws Exception {
        RunningServer server = run(config().build());
        server.ebb().shutdown();

        for (int i = 0; i < 3; i++) {
            try (RawHttp c = RawHttp.connect(server)) {
                RawHttp.Response r = c.get("/work?ms=1");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.connectionClose()).as("Connection: close while deregistering").isTrue();
                assertThat(c.closedByServerWithin(WAIT)).as("socket closed after the response").isTrue();
            }
        }
        assertThat(server.ebb().phase()).isEqualTo(Phase.DEREGISTERING);
    }

    @Test
    void connectionsAndRequestsWhileDeregisteringAreReported() throws Exception {
        RunningServer server = run(config().build());
        Ebb ebb = server.ebb();
        try (RawHttp before = RawHttp.connect(server)) {
            assertThat(before.get("/work?ms=1").status()).isEqualTo(200);
        }
        CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
        try (RawHttp c = RawHttp.connect(server)) {
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200);
        }
        if (ebbAnswersProbes()) {
            try (RawHttp probe = RawHttp.connect(server)) { // a health check's connection: it carries no request
                assertThat(probe.get("/ready").status()).isEqualTo(503);
            }
        }
        ebb.expedite();
        ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.requestsWhileDeregistering()).isEqualTo(1);
        assertThat(report.lastRequest()).as("last request while deregistering").isPresent();
        if (reportsNewConnections()) {
            assertThat(report.lastConnection()).as("last connection while deregistering").isPresent();
            assertThat(report.lastConnection().get()).as("the connection that carried the request, not the probe's")
                    .isLessThanOrEqualTo(report.lastRequest().get());
        }
        assertThat(report.toString()).contains("load balancer let go ");
    }

    @Test
    void keepAliveConnectionFromBeforeIsClosedAfterItsNextResponse() throws Exception {
        RunningServer server = run(config().build());
        try (RawHttp c = RawHttp.connect(server)) {
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
        try (RawHttp idle = RawHttp.connect(server); RawHttp busy = RawHttp.connect(server)) {
            assertThat(idle.get("/work?ms=1").connectionClose()).isFalse();
            // Long enough to be in flight when DRAINING begins, right after it is seen in flight.
            busy.send("GET", "/work?ms=2000");
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
        try (RawHttp busy = RawHttp.connect(server)) {
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
        try (RawHttp busy = RawHttp.connect(server)) {
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
        try (RawHttp c = RawHttp.connect(server)) {
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200);
            // One idle period, watched to its end: the server's timer started before this, so a close seen
            // later than the load balancer's timeout came later than it on the server too.
            long idleSince = System.nanoTime();
            assertThat(c.closedByServerWithin(Duration.ofSeconds(30))).as("closed eventually").isTrue();
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince);
            System.out.printf("[contract] %s: idle keep-alive connection closed after %d ms (LB %d ms, planned %s)%n",
                    getClass().getSimpleName(), closedAfter, lb.toMillis(), server.ebb().config().keepAliveTimeout().orElseThrow());
            assertThat(closedAfter).as("connection still open after the load balancer's idle timeout")
                    .isGreaterThan(lb.toMillis());
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
        try (RawHttp busy = RawHttp.connect(server)) {
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
        try (RawHttp c = RawHttp.connect(server)) {
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200);
        }
        ShutdownReport report = server.ebb().shutdown().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.clean()).isTrue();
        assertThat(RawHttp.refuses(server.port())).isTrue();
    }

    // ---- long-lived connections, HTTP/2, error paths: never worse than the bare server ----

    private static final String WS_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private String name() {
        return getClass().getSimpleName() + (tls() ? " (TLS)" : "");
    }

    private void requireWebSockets() {
        org.junit.jupiter.api.Assumptions.assumeTrue(webSockets(), "the server under test has no WebSocket");
    }

    @Test
    void webSocketIsToldGoingAwayAtDrainingAndTheDrainWaitsForItsClose() throws Exception {
        requireWebSockets();
        RunningServer server = run(config().build());
        Ebb ebb = server.ebb();
        try (WsClient ws = WsClient.connect(server, "/ws")) {
            ws.send("hello");
            await().atMost(WAIT).until(() -> ws.messages().contains("hello"));
            await().atMost(WAIT).until(() -> ebb.upgradedConnections() == 1);
            assertThat(ebb.inFlightRequests()).as("the upgrade request itself is complete").isZero();

            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            ws.send("still open while deregistering");
            await().atMost(WAIT).until(() -> ws.messages().contains("still open while deregistering"));
            ebb.expedite();

            assertThat(ws.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("close status").isEqualTo(1001);
            ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            System.out.printf("[contract] %s: WebSockets closed with 1001: %d, aborted: %d; %s%n",
                    name(), report.webSocketsClosed(), report.webSocketsAborted(), report);
            assertThat(report.webSocketsClosed()).isEqualTo(1);
            assertThat(report.webSocketsAborted()).isZero();
            assertThat(report.drainTimedOut()).as("ended by the closing handshake, not the timeout").isFalse();
            assertThat(report.clean()).isTrue();
        }
    }

    @Test
    void webSocketThatNeverAnswersTheCloseIsAbortedAtTheDrainTimeoutAndCounted() throws Exception {
        requireWebSockets();
        RunningServer server = run(config().drainTimeout(Duration.ofMillis(1500)).build());
        Ebb ebb = server.ebb();
        try (RawHttp raw = RawHttp.connect(server)) {
            raw.write("GET /ws HTTP/1.1\r\nHost: " + raw.host() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + WS_KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(raw.readHead().status()).isEqualTo(101);
            await().atMost(WAIT).until(() -> ebb.upgradedConnections() == 1);
            // This client reads nothing more and never answers the close frame.
            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            ebb.expedite();
            ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            System.out.printf("[contract] %s: unanswered WebSocket close: %s%n", name(), report);
            if (report.webSocketsAborted() == 0) {
                // A WebSocket implementation may close the connection right after its own 1001 instead of
                // waiting for the peer's close frame (Jetty does for every status but 1000, 1005 and 3000+):
                // then nothing is left to abort, and the client has its 1001 followed by the end of the stream.
                assertThat(raw.readWebSocketCloseStatus()).as("close frame sent before closing").isEqualTo(1001);
                assertThat(raw.closedByServerWithin(WAIT)).isTrue();
                assertThat(report.webSocketsClosed()).isEqualTo(1);
                assertThat(report.drainTimedOut()).isFalse();
                return;
            }
            assertThat(report.webSocketsAborted()).isEqualTo(1);
            assertThat(report.drainTimedOut()).isTrue();
            assertThat(report.clean()).isFalse();
        }
    }

    @Test
    void serverPushWebSocketSurvivesThreeKeepAliveTimeoutsWhileServing() throws Exception {
        requireWebSockets();
        // The keep-alive timer does not depend on the transport: over TLS this case adds minutes, not coverage.
        org.junit.jupiter.api.Assumptions.assumeFalse(tls(), "run over cleartext only");
        // The shortest keep-alive Ebb sets: 1 s, in front of a pass-through load balancer with a 2 s flow idle
        // timeout (an L7 one would make it at least 5 s, and this case three times as long).
        RunningServer server = run(config().loadBalancer(LoadBalancer.AWS_NLB)
                .loadBalancerIdleTimeout(Duration.ofSeconds(2)).build());
        Duration keepAlive = server.ebb().config().keepAliveTimeout().orElseThrow();
        assertThat(keepAlive).as("the keep-alive Ebb sets").isEqualTo(Duration.ofSeconds(1));
        try (WsClient ws = WsClient.connect(server, "/ws?push=250")) {
            // The client only receives: the server side reads nothing for the whole time. A bounded wait for a
            // close that must not come.
            assertThatThrownBy(() -> ws.closed().get(keepAlive.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS))
                    .as("closed by the server while SERVING").isInstanceOf(TimeoutException.class);
            int before = ws.messages().size();
            await().atMost(WAIT).until(() -> ws.messages().size() > before);
            assertThat(ws.closed()).isNotDone();
            System.out.printf("[contract] %s: server-push WebSocket open after %s (3x keep-alive %s), %d ticks%n",
                    name(), keepAlive.multipliedBy(3), keepAlive, ws.messages().size());
        }
    }

    @ParameterizedTest(name = "ebb.enabled={0}")
    @ValueSource(booleans = {true, false})
    void upgradeWhileDeregisteringGetsACleanSwitchingProtocols(boolean enabled) throws Exception {
        requireWebSockets();
        RunningServer server = run(config().enabled(enabled).build());
        if (enabled) {
            server.ebb().shutdown();
            assertThat(server.ebb().phase()).isEqualTo(Phase.DEREGISTERING);
        }
        try (RawHttp raw = RawHttp.connect(server)) {
            raw.write("GET /ws HTTP/1.1\r\nHost: " + raw.host() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + WS_KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            RawHttp.Response head = raw.readHead();
            assertThat(head.status()).isEqualTo(101);
            assertThat(head.header("connection")).containsIgnoringCase("upgrade").doesNotContainIgnoringCase("close");
            assertThat(head.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        }
        try (WsClient ws = WsClient.connect(server, "/ws")) {
            ws.send("after the 101");
            await().atMost(WAIT).until(() -> ws.messages().contains("after the 101"));
        }
    }

    @ParameterizedTest(name = "ebb.enabled={0}")
    @ValueSource(booleans = {true, false})
    void stalledRequestBodyIsTimedOutAsOnTheBareServer(boolean enabled) throws Exception {
        // The load balancer's idle timeout far above the server's request timeout: raising the keep-alive
        // must not stretch the time a stalled request may hold the server.
        RunningServer server = run(config().enabled(enabled).loadBalancerIdleTimeout(Duration.ofSeconds(120)).build());
        // Without a request timeout on the bare server the stalled request must stay open: Ebb adds none (its
        // keep-alive, two minutes here, applies between requests only), so a short look is enough.
        Duration window = requestIdleTimeout().map(t -> t.plusSeconds(8)).orElse(Duration.ofSeconds(2));
        try (RawHttp c = RawHttp.connect(server)) {
            c.write("POST /echo HTTP/1.1\r\nHost: " + c.host() + "\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nebb");
            long start = System.nanoTime();
            String outcome = outcomeWithin(c, window);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("[contract] %s ebb.enabled=%s: stalled body: %s after %d ms (server's request timeout %s)%n",
                    name(), enabled, outcome, ms, requestIdleTimeout().map(Object::toString).orElse("none"));
            if (requestIdleTimeout().isPresent()) {
                assertThat(outcome).as("the server's request timeout still applies").isNotEqualTo("open");
            } else {
                assertThat(outcome).as("no request timeout on the bare server, none added").isEqualTo("open");
            }
        }
        await().atMost(WAIT).until(() -> server.ebb().inFlightRequests() == 0);
    }

    /** What a client sees within {@code window}: a status code, "closed", or "open" (nothing yet). */
    private static String outcomeWithin(RawHttp c, Duration window) throws IOException {
        if (c.answersOrClosesWithin(window)) {
            try {
                return String.valueOf(c.read().status());
            } catch (IOException e) {
                return "closed";
            }
        }
        return "open";
    }

    @ParameterizedTest(name = "ebb.enabled={0}")
    @ValueSource(booleans = {true, false})
    void handlerThatThrowsIsAnsweredAsOnTheBareServerAndNotLeftInFlight(boolean enabled) throws Exception {
        RunningServer server = run(config().enabled(enabled).build());
        int serving;
        try (RawHttp c = RawHttp.connect(server)) {
            serving = c.get("/throw").status();
        }
        assertThat(serving).isEqualTo(500);
        if (enabled) {
            server.ebb().shutdown();
            try (RawHttp c = RawHttp.connect(server)) {
                assertThat(c.get("/throw").status()).as("while deregistering").isEqualTo(serving);
            }
            await().atMost(WAIT).until(() -> server.ebb().inFlightRequests() == 0);
            CompletableFuture<ShutdownReport> stopped = server.ebb().shutdown();
            server.ebb().expedite();
            ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(report.drainTimedOut()).as("no request left counted").isFalse();
            assertThat(report.clean()).isTrue();
        }
    }

    @ParameterizedTest(name = "ebb.enabled={0}")
    @ValueSource(booleans = {true, false})
    void clientThatResetsMidRequestIsNotLeftInFlight(boolean enabled) throws Exception {
        RunningServer server = run(config().enabled(enabled).build());
        Ebb ebb = server.ebb();
        RawHttp c = RawHttp.connect(server);
        c.send("GET", "/work?ms=300");
        if (enabled) {
            await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);
        }
        c.reset();
        await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 0);
        try (RawHttp next = RawHttp.connect(server)) {
            assertThat(next.get("/work?ms=1").status()).isEqualTo(200);
        }
        if (enabled) {
            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            ebb.expedite();
            assertThat(stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS).drainTimedOut()).isFalse();
        }
    }

    @ParameterizedTest(name = "ebb.enabled={0}")
    @ValueSource(booleans = {true, false})
    void pipelinedRequestsAreAllAnsweredWhileServing(boolean enabled) throws Exception {
        RunningServer server = run(config().enabled(enabled).build());
        try (RawHttp c = RawHttp.connect(server)) {
            String one = "GET /work?ms=5 HTTP/1.1\r\nHost: " + c.host() + "\r\n\r\n";
            c.write(one + one + one);
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.connectionClose()).isFalse();
            }
        }
    }

    @Test
    void pipelinedRequestsWhileDeregisteringAreAnsweredOrLeftUnansweredNeverFailed() throws Exception {
        RunningServer server = run(config().build());
        server.ebb().shutdown();
        try (RawHttp c = RawHttp.connect(server)) {
            String one = "GET /work?ms=5 HTTP/1.1\r\nHost: " + c.host() + "\r\n\r\n";
            c.write(one + one + one);
            RawHttp.Response first = c.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.connectionClose()).isTrue();
            // After Connection: close the client retries the rest elsewhere (RFC 9112 9.3.2): none may fail.
            assertThat(c.closedByServerWithin(WAIT)).isTrue();
        }
    }

    @Test
    void requestOnAnIdleConnectionAtDrainingIsServedOrFindsTheConnectionClosed() throws Exception {
        RunningServer server = run(config().build());
        Ebb ebb = server.ebb();
        try (RawHttp idle = RawHttp.connect(server); RawHttp busy = RawHttp.connect(server)) {
            assertThat(idle.get("/work?ms=1").status()).isEqualTo(200);
            busy.send("GET", "/work?ms=1000");
            await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);
            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            ebb.expedite();
            String outcome;
            try {
                idle.send("GET", "/work?ms=1");
                RawHttp.Response r = idle.read();
                assertThat(r.connectionClose()).as("served at DRAINING, then closed").isTrue();
                outcome = String.valueOf(r.status());
            } catch (IOException e) {
                outcome = "closed before the request";
            }
            System.out.printf("[contract] %s: request on an idle connection at DRAINING: %s%n", name(), outcome);
            assertThat(outcome).isIn("200", "closed before the request");
            assertThat(busy.read().status()).isEqualTo(200);
            assertThat(stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS).clean()).isTrue();
        }
    }

    @Test
    void serverSentEventsAreEndedByTheApplicationWhenDrainingBegins() throws Exception {
        RunningServer server = run(config().build());
        Ebb ebb = server.ebb();
        try (RawHttp c = RawHttp.connect(server)) {
            c.send("GET", "/events?ms=100");
            RawHttp.Response head = c.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-type")).startsWith("text/event-stream");
            String first = c.readChunk();
            assertThat(first).contains("data:");
            await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);

            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            assertThat(c.readChunk()).as("still streaming while deregistering").contains("data:");
            ebb.expedite();
            String chunk;
            int events = 0;
            while ((chunk = c.readChunk()) != null) {
                events++;
                assertThat(events).as("the stream ends").isLessThan(1000);
            }
            ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            System.out.printf("[contract] %s: SSE stream ended by the app at DRAINING: %s%n", name(), report);
            assertThat(report.requestsCompletedWhileDraining()).isEqualTo(1);
            assertThat(report.drainTimedOut()).isFalse();
            assertThat(report.clean()).isTrue();
        }
    }

    @Test
    void http2StreamsSurviveTheGoAwaysAndNoneIsReset() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(http2(), "the server under test has no HTTP/2 here");
        RunningServer server = run(config().build());
        Ebb ebb = server.ebb();
        try (H2Client h2 = H2Client.start(server)) {
            H2Client.Connection first = h2.connect();
            List<CompletableFuture<Integer>> streams = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                streams.add(first.get("/work?ms=1500"));
            }
            await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 3);

            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            assertThat(first.goAway.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("GOAWAY received").isTrue();
            assertThat(first.goAways.get(0).getLastStreamId()).as("first GOAWAY is graceful").isEqualTo(Integer.MAX_VALUE);

            H2Client.Connection second = h2.connect();
            assertThat(second.get("/work?ms=1").get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("a new connection while deregistering is served").isEqualTo(200);

            for (CompletableFuture<Integer> s : streams) {
                assertThat(s.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("stream in flight completes").isEqualTo(200);
            }
            await().atMost(WAIT).until(() -> first.goAways.size() >= 2 || first.closed.getCount() == 0);
            ebb.expedite();
            ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            System.out.printf("[contract] %s: HTTP/2 GOAWAY last-stream-ids %s, resets %s; %s%n", name(),
                    first.goAways.stream().map(f -> f.getLastStreamId() + "/" + f.getError()).toList(), first.resets, report);
            assertThat(first.resets).as("no stream reset").isEmpty();
            assertThat(second.resets).as("no stream reset").isEmpty();
            assertThat(first.goAways).allSatisfy(f -> assertThat(f.getError()).isZero());
            if (first.goAways.size() >= 2) {
                assertThat(first.goAways.get(first.goAways.size() - 1).getLastStreamId())
                        .as("final GOAWAY covers every stream the server took").isGreaterThanOrEqualTo(5);
            }
            assertThat(report.clean()).isTrue();
        }
    }
}
