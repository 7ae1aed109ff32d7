package dev.ebb.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP/2 over cleartext (prior knowledge) with Jetty's own HTTP/2 client: GOAWAY instead of Connection: close. */
class JettyHttp2Test {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final HTTP2Client client = new HTTP2Client();
    private Server server;
    private ServerConnector connector;
    private Ebb ebb;

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        connector = new ServerConnector(server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new WorkHandler());
        ebb = EbbJetty.install(server, EbbConfig.builder().kubernetes(false).handleSignals(false)
                .deregistrationDelay(Duration.ofSeconds(60)).drainTimeout(Duration.ofSeconds(20))
                .terminationGracePeriod(Duration.ofSeconds(120)).build());
        server.start();
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
        await().atMost(WAIT).until(() -> {
            ebb.expedite();
            return stopped.isDone();
        });
        client.stop();
        server.stop();
    }

    @Test
    void streamInFlightCompletesAfterGoAwayAndNewConnectionsAreStillServed() throws Exception {
        Connection first = connect();
        CompletableFuture<Integer> inFlight = first.get("/work?ms=1500");
        await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);

        ebb.shutdown();

        assertThat(first.goAway.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("GOAWAY received").isTrue();
        assertThat(first.goAways.get(0).isGraceful()).as("first GOAWAY is graceful").isTrue();
        assertThat(inFlight.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("stream in flight completes").isEqualTo(200);

        Connection second = connect();
        assertThat(second.get("/work?ms=1").get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(second.goAway.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("new connection told to go away").isTrue();
        assertThat(ebb.phase()).isEqualTo(Phase.DEREGISTERING);
    }

    @Test
    void finalGoAwayComesWhileDeregisteringWithoutWaitingForTheLongStream() throws Exception {
        Connection first = connect();
        CompletableFuture<Integer> longStream = first.get("/work?ms=8000");
        await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);

        ebb.shutdown();

        await().atMost(WAIT).until(() -> first.goAways.size() >= 2);
        assertThat(longStream).as("the final GOAWAY does not wait for the stream to end").isNotDone();
        GoAwayFrame last = first.goAways.get(1);
        assertThat(last.isGraceful()).isFalse();
        assertThat(last.getError()).isZero();
        assertThat(last.getLastStreamId()).as("covers the stream in flight").isGreaterThanOrEqualTo(1);
        assertThat(longStream.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("and that stream completes").isEqualTo(200);
        assertThat(ebb.phase()).isEqualTo(Phase.DEREGISTERING);
    }

    @Test
    void idleSessionIsClosedAndBusyStreamCompletesWhileDraining() throws Exception {
        Connection idle = connect();
        assertThat(idle.get("/work?ms=1").get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(200);
        Connection busy = connect();
        CompletableFuture<Integer> inFlight = busy.get("/work?ms=2000");
        await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);

        CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
        ebb.expedite();

        assertThat(idle.closed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("idle session closed").isTrue();
        assertThat(inFlight.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(200);
        ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.requestsAborted()).isZero();
        assertThat(report.clean()).isTrue();
    }

    private Connection connect() throws Exception {
        Connection c = new Connection();
        c.session = client.connect(new InetSocketAddress("127.0.0.1", connector.getLocalPort()), c)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return c;
    }

    /** One HTTP/2 session that records the GOAWAY frames it receives. */
    private final class Connection implements Session.Listener {
        final List<GoAwayFrame> goAways = new CopyOnWriteArrayList<>();
        final CountDownLatch goAway = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        Session session;

        @Override
        public void onGoAway(Session s, GoAwayFrame frame) {
            goAways.add(frame);
            goAway.countDown();
        }

        @Override
        public void onClose(Session s, GoAwayFrame frame, Callback callback) {
            closed.countDown();
            callback.succeeded();
        }

        /** Sends a GET; the future completes with the status once the whole response has arrived. */
        CompletableFuture<Integer> get(String path) {
            MetaData.Request request = new MetaData.Request("GET",
                    HttpURI.from("http://127.0.0.1:" + connector.getLocalPort() + path), HttpVersion.HTTP_2, HttpFields.EMPTY);
            CompletableFuture<Integer> status = new CompletableFuture<>();
            int[] code = new int[1];
            session.newStream(new HeadersFrame(request, null, true), new Stream.Listener() {
                @Override
                public void onHeaders(Stream stream, HeadersFrame frame) {
                    code[0] = ((MetaData.Response) frame.getMetaData()).getStatus();
                    if (frame.isEndStream()) {
                        status.complete(code[0]);
                    } else {
                        stream.demand();
                    }
                }

                @Override
                public void onDataAvailable(Stream stream) {
                    Stream.Data data = stream.readData();
                    if (data == null) {
                        stream.demand();
                        return;
                    }
                    data.release();
                    if (data.frame().isEndStream()) {
                        status.complete(code[0]);
                    } else {
                        stream.demand();
                    }
                }

                @Override
                public void onFailure(Stream stream, int error, String reason, Throwable failure, Callback callback) {
                    status.completeExceptionally(failure != null ? failure : new IllegalStateException(reason));
                    callback.succeeded();
                }
            }).exceptionally(failure -> {
                status.completeExceptionally(failure);
                return null;
            });
            return status;
        }
    }
}
