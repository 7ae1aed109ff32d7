package dev.ebb.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ebb.EbbConfig;
import dev.ebb.contract.RawHttp;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Netty-specific HTTP/1.1 behaviour: pipelining, keep-alive takeover, the idle timeout, Ebb disabled. */
class NettyHttp1Test {

    private static final Duration WAIT = StartedServers.WAIT;

    @RegisterExtension
    final StartedServers servers = new StartedServers();

    private static EbbConfig.Builder config() {
        return StartedServers.config();
    }

    private TestServer track(TestServer s) {
        return servers.track(s);
    }

    @Test
    void pipelinedRequestsWhileDeregisteringGetOneResponseThatClosesAndTheRestAreLeftToRetry() throws Exception {
        TestServer server = track(TestServer.start(config().build()));
        server.ebb().shutdown();
        try (RawHttp c = RawHttp.connect(server.port())) {
            c.send("GET", "/work?ms=300").send("GET", "/work?ms=1").send("POST", "/work?ms=1");
            RawHttp.Response first = c.read();
            assertThat(first.body()).isEqualTo("worked 300 ms\n");
            assertThat(first.connectionClose()).as("the first response while deregistering is the last").isTrue();
            assertThat(c.closedByServerWithin(WAIT)).as("nothing but EOF after it").isTrue();
        }
        await().atMost(WAIT).until(() -> server.ebb().inFlightRequests() == 0);
    }

    @Test
    void pipelinedProbeIsAnsweredInOrder() throws Exception {
        TestServer server = track(TestServer.start(config().build()));
        try (RawHttp c = RawHttp.connect(server.port())) {
            c.send("GET", "/work?ms=200").send("GET", "/ready").send("GET", "/work?ms=1");
            assertThat(c.read().body()).isEqualTo("worked 200 ms\n");
            RawHttp.Response probe = c.read();
            assertThat(probe.status()).isEqualTo(200);
            assertThat(probe.body()).isEqualTo(dev.ebb.spi.ProbeResponse.UP.body());
            assertThat(c.read().body()).isEqualTo("worked 1 ms\n");
            await().atMost(WAIT).until(() -> server.ebb().inFlightRequests() == 0);
        }
    }

    @Test
    void keepAliveIdleTimeoutNeverClosesAConnectionWithARequestInProgress() throws Exception {
        Duration keepAlive = Duration.ofMillis(500);
        TestServer server = track(TestServer.start(config().build(), keepAlive));
        try (RawHttp c = RawHttp.connect(server.port())) {
            RawHttp.Response slow = c.get("/work?ms=2000");
            assertThat(slow.status()).as("a request four times longer than the idle timeout").isEqualTo(200);
            assertThat(slow.connectionClose()).isFalse();
            long idleSince = System.nanoTime();
            assertThat(c.closedByServerWithin(WAIT)).as("closed once idle").isTrue();
            System.out.printf("[netty] idle connection closed %d ms after the response (keep-alive %d ms)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince), keepAlive.toMillis());
        }
    }

    @Test
    void clientConnectionCloseIsHonoured() throws Exception {
        TestServer server = track(TestServer.start(config().build()));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write(("GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            assertThat(all).startsWith("http/1.1 200").contains("connection: close");
        }
    }

    @Test
    void disabledEbbAnswersProbesAndLeavesKeepAliveAlone() throws Exception {
        TestServer server = track(TestServer.start(config().enabled(false).loadBalancerIdleTimeout(Duration.ofSeconds(1))
                .build()));
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/ready").status()).isEqualTo(200);
            assertThat(c.get("/live").status()).isEqualTo(200);
            RawHttp.Response r = c.get("/work?ms=1");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.connectionClose()).isFalse();
            assertThat(c.closedByServerWithin(Duration.ofMillis(2500))).as("no idle timeout without Ebb").isFalse();
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200);
        }
    }

    @Test
    void disabledEbbClosesAProbeConnectionTheClientAskedToClose() throws Exception {
        TestServer server = track(TestServer.start(config().enabled(false).build()));
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
        }
    }
}
