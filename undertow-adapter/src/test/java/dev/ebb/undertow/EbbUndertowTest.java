package dev.ebb.undertow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ebb.EbbConfig;
import dev.ebb.EbbConfigException;
import dev.ebb.ShutdownReport;
import dev.ebb.Ebb;
import dev.ebb.Phase;
import dev.ebb.contract.AdapterContract;
import dev.ebb.contract.H2Client;
import dev.ebb.contract.RawHttp;
import dev.ebb.contract.WsClient;
import io.undertow.server.HttpHandler;
import io.undertow.UndertowOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the Undertow adapter adds beyond the contract: its own listener, option handling, HTTP/2. */
class EbbUndertowTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<EbbUndertow> servers = new ArrayList<>();

    private static EbbConfig.Builder config() {
        return EbbConfig.builder().kubernetes(false).handleSignals(false)
                .deregistrationDelay(Duration.ofSeconds(60)).drainTimeout(Duration.ofSeconds(20))
                .terminationGracePeriod(Duration.ofSeconds(120));
    }

    private EbbUndertow start(EbbUndertow.Builder builder) throws Exception {
        return start(builder, new WorkHandler());
    }

    private EbbUndertow start(EbbUndertow.Builder builder, HttpHandler handler) throws Exception {
        EbbUndertow server = builder.addHttpListener(0, "127.0.0.1").setIoThreads(2).setWorkerThreads(4)
                .setHandler(handler).start();
        servers.add(server);
        return server;
    }

    private static final String UPGRADE = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    @Test
    void webSocketOfAnApplicationThatDidNotOptInIsKeptUntilTheDrainTimeoutThenAbortedAndCounted() throws Exception {
        TestApp app = new TestApp(false); // Handlers.websocket(callback), not EbbUndertow.websocket(callback)
        EbbUndertow server = start(EbbUndertow.builder(config().drainTimeout(Duration.ofMillis(1500)).build()), app.handler());
        Ebb ebb = server.ebb();
        AdapterContract.RunningServer running = AdapterContract.RunningServer.of(server.port(), ebb, () -> { });
        try (WsClient before = WsClient.connect(running, "/ws")) {
            before.send("hello");
            await().atMost(WAIT).until(() -> before.messages().contains("hello"));
            await().atMost(WAIT).until(() -> ebb.upgradedConnections() == 1);

            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            try (RawHttp raw = RawHttp.connect(server.port())) {
                raw.write(UPGRADE);
                RawHttp.Response head = raw.readHead();
                assertThat(head.status()).isEqualTo(101);
                assertThat(head.header("connection")).doesNotContainIgnoringCase("close");
            }
            try (WsClient during = WsClient.connect(running, "/ws")) {
                during.send("while deregistering");
                before.send("still open");
                await().atMost(WAIT).until(() -> during.messages().contains("while deregistering")
                        && before.messages().contains("still open"));
                await().atMost(WAIT).until(() -> ebb.upgradedConnections() == 2); // the raw one closed

                ebb.expedite();
                ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                System.out.printf("[undertow] WebSockets of an application that did not opt in: %s%n", report);
                assertThat(report.webSocketsClosed()).isZero();
                assertThat(report.webSocketsAborted()).isEqualTo(2);
                assertThat(report.drainTimedOut()).isTrue();
                assertThat(before.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("cut at the drain timeout")
                        .isEqualTo(WsClient.ABNORMAL_CLOSURE);
            }
        }
    }

    @Test
    void idleHttp2ConnectionIsToldBothGoAwaysAndClosedWhileStillDeregistering() throws Exception {
        EbbUndertow server = start(EbbUndertow.builder(config().build()).setServerOption(UndertowOptions.ENABLE_HTTP2, true));
        AdapterContract.RunningServer running = AdapterContract.RunningServer.of(server.port(), server.ebb(), () -> { });
        try (H2Client h2 = H2Client.start(running)) {
            H2Client.Connection idle = h2.connect();
            assertThat(idle.get("/work?ms=1").get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(200);

            server.ebb().shutdown();

            assertThat(idle.closed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("closed after the final GOAWAY").isTrue();
            assertThat(idle.goAways).extracting(GoAwayFrame::getLastStreamId).containsExactly(Integer.MAX_VALUE, 1);
            assertThat(idle.goAways).allSatisfy(f -> assertThat(f.getError()).isZero());
            assertThat(server.ebb().phase()).isEqualTo(Phase.DEREGISTERING);

            H2Client.Connection later = h2.connect();
            assertThat(later.get("/work?ms=1").get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("served while deregistering")
                    .isEqualTo(200);
            assertThat(later.closed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("told at its first stream").isTrue();
            assertThat(later.goAways).extracting(GoAwayFrame::getLastStreamId).containsExactly(Integer.MAX_VALUE, 1);
            assertThat(later.resets).isEmpty();
        }
    }

    @Test
    void http1RequestWhoseFirstBytesArriveAloneIsServedOnAnHttp2Port() throws Exception {
        EbbUndertow server = start(EbbUndertow.builder(config().build()).setServerOption(UndertowOptions.ENABLE_HTTP2, true));
        try (RawHttp c = RawHttp.connect(server.port())) {
            c.write("P"); // as the HTTP/2 preface starts: Ebb waits for more before it hands the connection over
            c.write("OST /work?ms=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("worked");
            assertThat(c.get("/work?ms=1").status()).as("keep-alive as usual").isEqualTo(200);
        }
    }

    @AfterEach
    void stop() {
        for (EbbUndertow s : servers) {
            CompletableFuture<ShutdownReport> f = s.ebb().shutdown();
            await().atMost(WAIT).until(() -> {
                s.ebb().expedite();
                return f.isDone();
            });
        }
    }

    @Test
    void connectionThatNeverSentARequestIsClosedWhenDrainingBegins() throws Exception {
        EbbUndertow server = start(EbbUndertow.builder(config().build()));
        try (RawHttp silent = RawHttp.connect(server.port())) {
            await().atMost(WAIT).until(() -> {
                try (RawHttp probe = RawHttp.connect(server.port())) {
                    return probe.get("/live").status() == 200; // the silent connection was accepted before this one
                }
            });
            server.ebb().shutdown();
            server.ebb().expedite();
            assertThat(silent.closedByServerWithin(WAIT)).isTrue();
        }
    }

    @Test
    void keepAliveTimeoutTheApplicationSetBelowTheLoadBalancersRefusesToStart() {
        EbbUndertow.Builder builder = EbbUndertow.builder(config().loadBalancerIdleTimeout(Duration.ofSeconds(60)).build())
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 30_000);
        assertThatThrownBy(() -> start(builder)).isInstanceOf(EbbConfigException.class).hasMessageContaining("30s");
    }

    @Test
    void idleTimeoutTheApplicationSetBelowTheLoadBalancersRefusesToStart() {
        // UndertowOptions.IDLE_TIMEOUT closes a connection with no byte read or written, idle keep-alive ones too.
        EbbUndertow.Builder builder = EbbUndertow.builder(config().loadBalancerIdleTimeout(Duration.ofSeconds(60)).build())
                .setServerOption(UndertowOptions.IDLE_TIMEOUT, 30_000);
        assertThatThrownBy(() -> start(builder)).isInstanceOf(EbbConfigException.class).hasMessageContaining("30s");
    }

    @Test
    void idleTimeoutTheApplicationSetAboveTheLoadBalancersLeavesTheKeepAliveToEbb() throws Exception {
        EbbUndertow server = start(EbbUndertow.builder(config().loadBalancerIdleTimeout(Duration.ofSeconds(1)).build())
                .setServerOption(UndertowOptions.IDLE_TIMEOUT, 120_000));
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200);
            assertThat(c.closedByServerWithin(Duration.ofSeconds(30))).as("Ebb's 6 s keep-alive").isTrue();
        }
    }

    @Test
    void keepAliveTimeoutTheApplicationSetAboveTheLoadBalancersIsKept() throws Exception {
        EbbUndertow server = start(EbbUndertow.builder(config().loadBalancerIdleTimeout(Duration.ofSeconds(1)).build())
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 120_000));
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200);
            assertThat(c.closedByServerWithin(Duration.ofSeconds(8))).as("not Ebb's 6 s").isFalse();
        }
    }

    @Test
    void withEbbDisabledItIsPlainUndertowWithProbes() throws Exception {
        EbbUndertow server = start(EbbUndertow.builder(config().enabled(false).build()));
        assertThat(server.undertow().getListenerInfo()).hasSize(1);
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/ready").status()).isEqualTo(200);
            assertThat(c.get("/live").status()).isEqualTo(200);
            RawHttp.Response r = c.send("POST", "/work?ms=5").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.connectionClose()).isFalse();
            assertThat(server.ebb().inFlightRequests()).isZero();
        }
    }

    @Test
    void http2StreamInFlightCompletesAndIdleHttp2ConnectionsCloseWhileDraining() throws Exception {
        EbbUndertow server = start(EbbUndertow.builder(config().build()).setServerOption(UndertowOptions.ENABLE_HTTP2, true));
        HttpClient busy = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpClient idle = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        URI base = URI.create("http://127.0.0.1:" + server.port());
        for (HttpClient client : List.of(busy, idle)) {
            HttpResponse<String> warm = client.send(HttpRequest.newBuilder(base.resolve("/work?ms=1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(warm.version()).as("h2c upgrade").isEqualTo(HttpClient.Version.HTTP_2);
        }
        CompletableFuture<HttpResponse<String>> slow = busy.sendAsync(
                HttpRequest.newBuilder(base.resolve("/work?ms=1500")).build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(WAIT).until(() -> server.ebb().inFlightRequests() == 1);

        CompletableFuture<ShutdownReport> stopped = server.ebb().shutdown();
        server.ebb().expedite();

        HttpResponse<String> response = slow.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.idleConnectionsClosed()).isGreaterThanOrEqualTo(1);
        assertThat(report.requestsAborted()).isZero();
        assertThat(report.clean()).isTrue();
    }
}
