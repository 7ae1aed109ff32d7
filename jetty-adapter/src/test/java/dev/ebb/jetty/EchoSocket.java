package dev.ebb.jetty;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** The contract's WebSocket on Jetty's WebSocket API: echoes text; with {@code ?push=N} also sends {@code tick} every N ms. */
public final class EchoSocket implements Session.Listener.AutoDemanding {

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

    @Override
    public void onWebSocketOpen(Session s) {
        session = s;
        if (pushMs > 0) {
            push = TIMER.scheduleAtFixedRate(() -> send("tick"), pushMs, pushMs, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void onWebSocketText(String message) {
        send(message);
    }

    @Override
    public void onWebSocketClose(int status, String reason, Callback callback) {
        ScheduledFuture<?> p = push;
        if (p != null) {
            p.cancel(false);
        }
        callback.succeed();
    }

    private synchronized void send(String text) {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.sendText(text, Callback.NOOP);
        }
    }
}
