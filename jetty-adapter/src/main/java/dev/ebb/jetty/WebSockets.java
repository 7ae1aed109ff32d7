package dev.ebb.jetty;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.Graceful;
import org.eclipse.jetty.websocket.core.WebSocketConnection;

/**
 * Everything that touches Jetty's WebSocket classes, kept apart so that servers without
 * {@code jetty-websocket-core-common} on the class path never load it ({@code JettyServerAdapter} checks
 * first).
 */
final class WebSockets {

    private WebSockets() {
    }

    /**
     * Tells every WebSocket on {@code connections} that the server is going away (close status 1001),
     * through Jetty's own WebSocket implementation: the session trackers of Jetty's WebSocket containers
     * (Jetty and Jakarta APIs), which close every session they hold with 1001, exactly as Jetty's own
     * graceful stop does; where none is installed (an application on Jetty's core WebSocket API), each
     * connection's core session is closed with 1001 through its idle-expiry path.
     *
     * @return how many WebSockets were told
     */
    static int goingAway(Server server, Collection<Connection> connections) {
        List<Connection> webSockets = connections.stream().filter(c -> c instanceof WebSocketConnection).toList();
        if (webSockets.isEmpty()) {
            return 0;
        }
        List<Graceful> trackers = server.getContainedBeans(Graceful.class).stream()
                .filter(g -> isWebSocketTracker(g.getClass()))
                .toList();
        if (trackers.isEmpty()) {
            for (Connection c : webSockets) {
                // Jetty's core session answers an expired WebSocket idle time with a close frame 1001.
                c.onIdleExpired(new TimeoutException("server going away"));
            }
        } else {
            trackers.forEach(Graceful::shutdown);
        }
        return webSockets.size();
    }

    private static boolean isWebSocketTracker(Class<?> type) {
        String name = type.getName();
        return name.startsWith("org.eclipse.jetty.") && name.contains(".websocket.");
    }
}
