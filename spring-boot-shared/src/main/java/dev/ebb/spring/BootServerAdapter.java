package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import dev.ebb.spi.ServerAdapter;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The {@link ServerAdapter} of a Spring Boot web server. On Tomcat and Jetty the starter drives the server
 * itself ({@link #drive}): it closes the listener, idle connections and WebSockets and aborts the rest
 * while the context waits in Ebb's lifecycle phase; Boot's start/stop lifecycle stops the server
 * afterwards. On a server it does not drive, Boot's graceful shutdown closes the listener and drains in
 * the phase after Ebb's, and those operations are no-ops here. The keep-alive timeout is read and set by
 * the server's factory customizer, which tells this adapter which server it is ({@link #use}) before
 * calling {@link EbbCore#applyKeepAlive()}. Thread-safe.
 */
final class BootServerAdapter implements ServerAdapter {

    private volatile String serverName = "Spring Boot web server";
    private volatile KeepAlive keepAlive = KeepAlive.none();
    private volatile Connections connections = Connections.NONE;
    private volatile BootServer server;
    private volatile WebSockets webSockets;

    /** The web server in use and its keep-alive timeout as configured, before it starts. */
    void use(String serverName, KeepAlive keepAlive) {
        this.serverName = serverName;
        this.keepAlive = keepAlive;
    }

    /** The connections of the web server, where the starter can reach them (Reactor Netty). */
    void use(Connections connections) {
        this.connections = connections;
    }

    Connections connections() {
        return connections;
    }

    /**
     * What the starter does to the connections of a web server it can reach. Without it ({@link #NONE}),
     * Spring Boot's graceful shutdown closes the listener and drains.
     */
    interface Connections {
        /** Leaves everything to Spring Boot. */
        Connections NONE = new Connections() {
        };

        /** See {@link ServerAdapter#startDeregistering()}. */
        default void startDeregistering() {
        }

        /** See {@link ServerAdapter#closeListeners()}. */
        default void closeListeners() {
        }

        /** See {@link ServerAdapter#closeIdleConnections()}. */
        default int closeIdle() {
            return 0;
        }

        /** See {@link ServerAdapter#closeUpgradedConnections()}. */
        default int closeUpgraded() {
            return 0;
        }

        /** See {@link ServerAdapter#abortConnections()}. */
        default int abort() {
            return 0;
        }

        /**
         * Called as a request that asked for an upgrade completes, with the server's native request:
         * when its connection was upgraded, reports {@code upgradeOpened()} now and {@code upgradeClosed()}
         * when the connection closes.
         */
        default void upgradeCompleted(Object nativeRequest) {
        }

        /**
         * Called while Ebb deregisters or drains with the server's native request of an HTTP/2 stream, so
         * that a connection accepted meanwhile (e.g. whose HTTP/2 was negotiated by ALPN after it was
         * accepted) gets its graceful GOAWAY too.
         */
        default void http2RequestWhileClosing(Object nativeRequest) {
        }
    }

    /** The started web server, which Ebb's operations now act on. */
    void drive(BootServer server) {
        this.server = server;
    }

    /** Whether Ebb acts on the web server itself (else Boot's graceful shutdown does). */
    boolean drivesServer() {
        return server != null || connections != Connections.NONE;
    }

    /** The application's Spring WebSocket sessions, when it has Spring WebSocket. */
    void webSockets(WebSockets sessions) {
        this.webSockets = sessions;
    }

    WebSockets webSockets() {
        return webSockets;
    }

    /**
     * The application's Spring WebSocket sessions on a servlet server ({@link WebSocketSessions}). An interface,
     * so that this class never names a servlet type: a WebFlux application has no servlet API.
     */
    interface WebSockets {
        /** See {@link WebSocketSessions#track(boolean)}. */
        void track(boolean count);

        /** Sends a close frame with 1001 on every open session; how many were sent. */
        int goingAway();
    }

    /** The value of a {@code server.*} duration property the application set, in Boot's own format. */
    static Optional<Duration> property(Environment environment, String name) {
        return Binder.get(environment).bind(name, Duration.class).map(Optional::of).orElse(Optional.empty());
    }

    @Override
    public String serverName() {
        return serverName;
    }

    @Override
    public KeepAlive keepAlive() {
        return keepAlive;
    }

    @Override
    public void setKeepAliveTimeout(Duration timeout) {
        // Applied by the factory customizer from EbbCore.applyKeepAlive()'s answer.
    }

    @Override
    public void startDeregistering() {
        BootServer s = server;
        if (s != null) {
            s.startDeregistering();
        }
        connections.startDeregistering();
    }

    @Override
    public void closeListeners() {
        // Otherwise Spring Boot's graceful shutdown does it in the next lifecycle phase.
        BootServer s = server;
        if (s != null) {
            s.closeListeners();
        }
        connections.closeListeners();
    }

    @Override
    public int closeIdleConnections() {
        BootServer s = server;
        return (s == null ? 0 : s.closeIdleConnections()) + connections.closeIdle();
    }

    @Override
    public int closeUpgradedConnections() {
        BootServer s = server;
        // The application's Spring WebSockets, where the starter tracks them (on Jetty, and on a server it does not
        // drive); untracked, there are none.
        WebSockets sessions = webSockets;
        return (s == null ? 0 : s.closeUpgradedConnections()) + connections.closeUpgraded()
                + (sessions == null ? 0 : sessions.goingAway());
    }

    @Override
    public int abortConnections() {
        // Otherwise Spring Boot stops the server when its graceful shutdown phase times out (Ebb's drain timeout).
        BootServer s = server;
        return (s == null ? 0 : s.abortConnections()) + connections.abort();
    }

    @Override
    public void stop() {
        // Spring Boot's start/stop lifecycle stops the server.
    }
}
