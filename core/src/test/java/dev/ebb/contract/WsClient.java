package dev.ebb.contract;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client on the JDK's {@code java.net.http.WebSocket}, recording what the server sends: text
 * messages, the close status (1001 going away, or 1006 when the connection ended without a close frame)
 * and errors. It answers a close frame with the same status, as a browser does. Thread-safe.
 */
public final class WsClient implements AutoCloseable {

    /** The status the JDK reports for a connection that ended without a close frame. */
    public static final int ABNORMAL_CLOSURE = 1006;

    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;
    private final HttpClient client;

    private WsClient(AdapterContract.RunningServer server, String path) throws Exception {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (server.tls()) {
            builder.sslContext(TestTls.clientContext());
        }
        client = builder.build();
        String scheme = server.tls() ? "wss" : "ws";
        String host = server.tls() ? "localhost" : "127.0.0.1";
        socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(scheme + "://" + host + ":" + server.port() + path), new Listener())
                .get(20, TimeUnit.SECONDS);
    }

    /** Opens a WebSocket to {@code path} on {@code server}; fails when the handshake fails. */
    public static WsClient connect(AdapterContract.RunningServer server, String path) throws Exception {
        return new WsClient(server, path);
    }

    /** Sends a text message. */
    public void send(String text) throws Exception {
        socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    /** The text messages received so far. */
    public List<String> messages() {
        return messages;
    }

    /** Completes with the close status when the WebSocket closes ({@link #ABNORMAL_CLOSURE} without a close frame). */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null; // the JDK then answers with a close frame of the same status
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(ABNORMAL_CLOSURE);
        }
    }
}
