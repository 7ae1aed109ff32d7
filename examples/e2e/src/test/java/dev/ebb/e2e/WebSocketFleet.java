package dev.ebb.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A number of WebSocket clients (JDK {@code java.net.http.WebSocket}) to one URL, each behaving like a browser
 * app: it answers a close frame, and when its socket ends for any reason it opens a new one at once (retrying a
 * failed handshake every 250 ms). Counts how sockets ended and how reconnects went. Thread-safe.
 */
final class WebSocketFleet implements AutoCloseable {

    /** The status the JDK reports for a connection that ended without a close frame. */
    static final int ABNORMAL_CLOSURE = 1006;
    private static final Duration RETRY = Duration.ofMillis(250);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ws-retry");
        t.setDaemon(true);
        return t;
    });
    private final URI uri;
    private final List<Socket> sockets = new ArrayList<>();
    private final AtomicInteger goingAway = new AtomicInteger();
    private final AtomicInteger abnormal = new AtomicInteger();
    private final AtomicInteger otherCloses = new AtomicInteger();
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicInteger failedHandshakes = new AtomicInteger();
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong echoes = new AtomicLong();
    private volatile boolean closing;

    /** Opens {@code count} sockets to {@code uri} (returns at once; see {@link #allOpen()}). */
    WebSocketFleet(URI uri, int count) {
        this.uri = uri;
        for (int i = 0; i < count; i++) {
            Socket s = new Socket(i);
            sockets.add(s);
            s.connect();
        }
    }

    /** Whether every socket is open and has had its hello echoed since it last (re)connected. */
    boolean allOpen() {
        return sockets.stream().allMatch(s -> s.open && s.echoed);
    }

    /** What happened so far. */
    Figures figures() {
        return new Figures(sockets.size(), goingAway.get(), abnormal.get(), otherCloses.get(), reconnects.get(),
                failedHandshakes.get(), ticks.get(), echoes.get());
    }

    /** Closes every socket normally (1000) and stops reconnecting. */
    @Override
    public void close() {
        closing = true;
        for (Socket s : sockets) {
            WebSocket ws = s.ws;
            if (ws != null && !ws.isOutputClosed()) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            }
        }
        for (Socket s : sockets) {
            WebSocket ws = s.ws;
            if (ws != null) {
                ws.abort();
            }
        }
        retries.shutdownNow();
    }

    /**
     * The counts of one run.
     *
     * @param sockets clients
     * @param goingAway sockets the server closed with 1001 (going away)
     * @param abnormal sockets that ended without a close frame (1006) or with an error
     * @param otherCloses sockets closed with any other status
     * @param reconnects new sockets opened after one ended
     * @param failedHandshakes handshakes that failed (and were retried)
     * @param ticks tick messages received
     * @param echoes echoes received
     */
    record Figures(int sockets, int goingAway, int abnormal, int otherCloses, int reconnects, int failedHandshakes,
            long ticks, long echoes) {
        @Override
        public String toString() {
            return sockets + " sockets: " + goingAway + " closed with 1001, " + abnormal + " abnormal (1006), "
                    + otherCloses + " other closes, " + reconnects + " reconnects, " + failedHandshakes
                    + " failed handshakes; " + ticks + " ticks and " + echoes + " echoes received";
        }
    }

    private final class Socket implements WebSocket.Listener {
        private final int id;
        private final StringBuilder partial = new StringBuilder();
        private volatile WebSocket ws;
        private volatile boolean open;
        private volatile boolean echoed;
        private boolean ended;
        private int generation;

        Socket(int id) {
            this.id = id;
        }

        void connect() {
            if (closing) {
                return;
            }
            client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, this)
                    .whenComplete((ws, failure) -> {
                        if (failure != null) {
                            failedHandshakes.incrementAndGet();
                            if (!closing) {
                                retries.schedule(this::connect, RETRY.toMillis(), TimeUnit.MILLISECONDS);
                            }
                        }
                    });
        }

        @Override
        public synchronized void onOpen(WebSocket webSocket) {
            ws = webSocket;
            ended = false;
            echoed = false;
            open = true;
            if (generation++ > 0) {
                reconnects.incrementAndGet();
            }
            webSocket.sendText("hello " + id, true);
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                if (message.equals("hello " + id)) {
                    echoes.incrementAndGet();
                    echoed = true;
                } else if (message.startsWith("tick")) {
                    ticks.incrementAndGet();
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (statusCode == WebSocket.NORMAL_CLOSURE && closing) {
                return null;
            }
            ended(statusCode == 1001 ? goingAway : statusCode == ABNORMAL_CLOSURE ? abnormal : otherCloses);
            return null; // the JDK answers with a close frame
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (!closing) {
                ended(abnormal);
            }
        }

        private void ended(AtomicInteger counter) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                open = false;
            }
            counter.incrementAndGet();
            connect();
        }
    }
}
