package dev.ebb.contract;

import java.net.InetSocketAddress;
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
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * An HTTP/2 client that sees frames: Jetty's low-level {@link HTTP2Client}, over TLS with ALPN {@code h2} or
 * over cleartext with prior knowledge. It records every GOAWAY and every stream reset the server sends. One
 * instance per test; {@link #close()} stops it.
 */
public final class H2Client implements AutoCloseable {

    private final HTTP2Client client = new HTTP2Client();
    private final AdapterContract.RunningServer server;

    private H2Client(AdapterContract.RunningServer server) throws Exception {
        this.server = server;
        client.start();
    }

    /** A started client for {@code server}. */
    public static H2Client start(AdapterContract.RunningServer server) throws Exception {
        return new H2Client(server);
    }

    /** Opens one HTTP/2 connection (a session). */
    public Connection connect() throws Exception {
        Connection c = new Connection();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
        CompletableFuture<Session> session;
        if (server.tls()) {
            SslContextFactory.Client tls = new SslContextFactory.Client();
            tls.setSslContext(TestTls.clientContext());
            tls.setEndpointIdentificationAlgorithm(null);
            client.addManaged(tls); // started now, as the client runs; stopped with it
            session = client.connect(tls, address, c);
        } else {
            session = client.connect(address, c);
        }
        c.session = session.get(20, TimeUnit.SECONDS);
        return c;
    }

    @Override
    public void close() throws java.io.IOException {
        try {
            client.stop();
        } catch (Exception e) {
            throw new java.io.IOException("could not stop the HTTP/2 client", e);
        }
    }

    /** One HTTP/2 connection that records the GOAWAY frames and stream resets it receives. */
    public final class Connection implements Session.Listener {
        /** GOAWAY frames received, in order. */
        public final List<GoAwayFrame> goAways = new CopyOnWriteArrayList<>();
        /** Error codes of the streams the server reset. */
        public final List<Integer> resets = new CopyOnWriteArrayList<>();
        /** Counted down on the first GOAWAY. */
        public final CountDownLatch goAway = new CountDownLatch(1);
        /** Counted down when the connection has closed. */
        public final CountDownLatch closed = new CountDownLatch(1);
        private Session session;

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

        @Override
        public void onFailure(Session s, Throwable failure, Callback callback) {
            closed.countDown();
            callback.succeeded();
        }

        /**
         * Sends a GET on a new stream; the future completes with the status once the whole response has
         * arrived, or fails when the stream is reset or the connection ends first.
         */
        public CompletableFuture<Integer> get(String path) {
            String scheme = server.tls() ? "https" : "http";
            MetaData.Request request = new MetaData.Request("GET",
                    HttpURI.from(scheme + "://127.0.0.1:" + server.port() + path), HttpVersion.HTTP_2, HttpFields.EMPTY);
            CompletableFuture<Integer> status = new CompletableFuture<>();
            int[] code = new int[1];
            session.newStream(new HeadersFrame(request, null, true), new Stream.Listener() {
                @Override
                public void onHeaders(Stream stream, HeadersFrame frame) {
                    if (frame.getMetaData() instanceof MetaData.Response response) {
                        code[0] = response.getStatus();
                    }
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
                public void onReset(Stream stream, ResetFrame frame, Callback callback) {
                    resets.add(frame.getError());
                    status.completeExceptionally(new IllegalStateException("stream reset by the server, error " + frame.getError()));
                    callback.succeeded();
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
