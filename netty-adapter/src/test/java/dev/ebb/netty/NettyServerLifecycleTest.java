package dev.ebb.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import dev.ebb.contract.RawHttp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How Ebb stops a Netty server: every server channel, and what the application's main thread waits on. */
class NettyServerLifecycleTest {

    private static final Duration WAIT = StartedServers.WAIT;

    @RegisterExtension
    final StartedServers servers = new StartedServers();

    private static EbbConfig config() {
        return StartedServers.config().build();
    }

    private TestServer track(TestServer s) {
        return servers.track(s);
    }

    @Test
    void everyServerChannelIsClosedWhenDrainingBeginsAndRequestsInFlightOnEachComplete() throws Exception {
        TestServer server = track(TestServer.listeningOn(2, config()));
        Ebb ebb = server.ebb();
        List<Integer> ports = server.ports();
        RawHttp ws = RawHttp.connect(ports.get(1));
        try (RawHttp first = RawHttp.connect(ports.get(0)); RawHttp second = RawHttp.connect(ports.get(1))) {
            // A WebSocket that never answers the close frame holds the drain open until the test lets go.
            ws.write("GET /ws HTTP/1.1\r\nHost: " + ws.host() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(ws.readHead().status()).isEqualTo(101);
            first.send("GET", "/work?ms=1000");
            second.send("GET", "/work?ms=1000");
            await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 2 && ebb.upgradedConnections() == 1);

            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            ebb.expedite();

            await().atMost(WAIT).until(() -> RawHttp.refuses(ports.get(0)) && RawHttp.refuses(ports.get(1)));
            assertThat(ebb.phase()).as("both ports refuse while draining, not only once stopped").isEqualTo(Phase.DRAINING);
            assertThat(first.read().status()).isEqualTo(200);
            assertThat(second.read().status()).isEqualTo(200);
            ws.close();
            ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(report.requestsCompletedWhileDraining()).isEqualTo(2);
            assertThat(report.requestsAborted()).isZero();
            assertThat(report.webSocketsAborted()).isZero();
        } finally {
            ws.close();
        }
    }

    /**
     * {@code serverChannel.closeFuture().sync()} returns when DRAINING begins, since that is when Ebb closes
     * the server channel; an application that then shuts its event loop groups down cuts the requests
     * still draining. {@link Ebb#stopped()} is what the main thread waits on instead.
     */
    @Test
    void mainThreadWaitingOnStoppedShutsTheGroupsDownOnlyOnceTheDrainIsOver() throws Exception {
        TestServer server = track(TestServer.start(config()));
        Ebb ebb = server.ebb();
        AtomicLong inFlightWhenTheServerChannelClosed = new AtomicLong(-1);
        server.serverChannel().closeFuture().addListener(f -> inFlightWhenTheServerChannelClosed.set(ebb.inFlightRequests()));
        try (RawHttp busy = RawHttp.connect(server.port())) {
            busy.send("GET", "/work?ms=5000");
            await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);

            // The application's main thread: wait, then the usual finally { group.shutdownGracefully(); }.
            CompletableFuture<Void> main = CompletableFuture.runAsync(() -> {
                ebb.stopped().join();
                server.close();
            });
            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            ebb.expedite();

            assertThat(server.serverChannel().closeFuture().await(WAIT.toMillis())).isTrue();
            await().atMost(WAIT).until(() -> inFlightWhenTheServerChannelClosed.get() >= 0);
            assertThat(inFlightWhenTheServerChannelClosed).as("closeFuture() completes while requests still drain")
                    .hasValue(1);

            RawHttp.Response r = busy.read();
            assertThat(r.status()).as("not cut by the groups' shutdown").isEqualTo(200);
            assertThat(stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS).clean()).isTrue();
            main.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
