package dev.ebb.jetty;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketClose;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketMessage;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketOpen;
import org.eclipse.jetty.websocket.api.annotations.WebSocket;

/**
 * The contract's WebSocket on Jetty's WebSocket API: echoes text; with {@code ?push=N} also sends {@code tick}
 * every N ms. Annotated rather than a {@code Session.Listener}: the listener's close callback differs between
 * Jetty 12.0 and 12.1, the annotations do not, and the same source runs on both.
 */
@WebSocket
public final class EchoSocket {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ws-push");
        t.setDaemon(true);
        return t;
    });

    private final long pushMs;
    private volatile Session session;
    private volatile ScheduledFuture<?> push;

    public EchoSocket(long pushMs) {
        this.pushMs = pushMs;
    }

    /** The socket for an upgrade request's {@code push} parameter, if any. */
    static EchoSocket of(List<String> push) {
        return new EchoSocket(push == null || push.isEmpty() ? 0 : Long.parseLong(push.get(0)));
    }

    @OnWebSocketOpen
    public void onOpen(Session s) {
        session = s;
        if (pushMs > 0) {
            push = TIMER.scheduleAtFixedRate(() -> send("tick"), pushMs, pushMs, TimeUnit.MILLISECONDS);
        }
    }

    @OnWebSocketMessage
    public void onText(String message) {
        send(message);
    }

    @OnWebSocketClose
    public void onClose(int status, String reason) {
        ScheduledFuture<?> p = push;
        if (p != null) {
            p.cancel(false);
        }
    }

    private synchronized void send(String text) {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.sendText(text, Callback.NOOP);
        }
    }
}
