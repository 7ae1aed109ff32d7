package dev.ebb.jetty;

import dev.ebb.spi.KeepAlive;
import dev.ebb.spi.ServerAdapter;
import java.io.IOException;
import java.nio.channels.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;

/**
 * Ebb's operations on one Jetty {@link Server}, called by core from its shutdown thread. Decides nothing.
 */
final class JettyServerAdapter implements ServerAdapter {

    /** {@code AbstractConnector}'s default idle timeout. */
    private static final long JETTY_DEFAULT_IDLE_TIMEOUT_MS = 30_000;
    private static final boolean HTTP2 = classPresent("org.eclipse.jetty.http2.server.AbstractHTTP2ServerConnectionFactory");
    private static final boolean WEBSOCKET = classPresent("org.eclipse.jetty.websocket.core.WebSocketConnection");

    private final Server server;
    private EbbHandler handler;

    JettyServerAdapter(Server server) {
        this.server = server;
    }

    void track(EbbHandler handler) {
        this.handler = handler;
    }

    @Override
    public String serverName() {
        return "Jetty " + Server.getVersion();
    }

    /**
     * The connectors' idle timeout, as the server's default even when the application set it: Jetty has one
     * idle timeout for "no I/O during a request" and "waiting for the next request", and Ebb never changes
     * the connectors' value. It raises only the time a connection with no request in progress is kept
     * open (see {@link #setKeepAliveTimeout(Duration)}), so a short request I/O timeout set by the
     * application never stops Ebb from keeping idle connections open longer than the load balancer does.
     */
    @Override
    public KeepAlive keepAlive() {
        long shortest = Long.MAX_VALUE;
        for (Connector connector : server.getConnectors()) {
            long ms = connector.getIdleTimeout();
            if (ms > 0) {
                shortest = Math.min(shortest, ms);
            }
        }
        if (shortest == Long.MAX_VALUE) {
            return server.getConnectors().length == 0
                    ? KeepAlive.serverDefault(Duration.ofMillis(JETTY_DEFAULT_IDLE_TIMEOUT_MS)) : KeepAlive.none();
        }
        return KeepAlive.serverDefault(Duration.ofMillis(shortest));
    }

    /**
     * Applies {@code timeout} to connections while they have no request in progress, when longer than
     * their connector's idle timeout; the connectors keep their own value for everything else (a request
     * whose body stalls, a slow client, a TLS handshake). Shorter (behind a pass-through load balancer,
     * whose flow timeout every idle connection must beat, whatever its state) it lowers the connectors'.
     */
    @Override
    public void setKeepAliveTimeout(Duration timeout) {
        long ms = timeout.toMillis();
        if (handler.passThrough()) {
            for (Connector connector : server.getConnectors()) {
                if (connector instanceof AbstractConnector c && (c.getIdleTimeout() <= 0 || c.getIdleTimeout() > ms)) {
                    c.setIdleTimeout(ms);
                }
            }
        }
        handler.keepAlive(ms);
    }

    @Override
    public void startDeregistering() {
        if (HTTP2) {
            for (Connector connector : server.getConnectors()) {
                Http2.goAwayAll(connector);
            }
        }
    }

    /**
     * Closes the listening sockets; not {@code shutdown()}, which cuts every idle timeout to 1 s. A
     * {@code ServerConnector} without acceptor threads accepts through its selector, and its {@code close()}
     * leaves the listening channel to that selector, open: there accepting stops first (the selector lets the
     * channel go), then the channel is closed here.
     */
    @Override
    public void closeListeners() throws IOException {
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof NetworkConnector c) {
                Object transport = c.getTransport();
                if (c instanceof AbstractConnector a && a.getAcceptors() == 0) {
                    a.setAccepting(false);
                }
                c.close();
                if (transport instanceof Channel channel && channel.isOpen()) {
                    channel.close();
                }
            }
        }
    }

    /**
     * Closes the idle connections: the HTTP/1 ones' output is shut down first, all of them in a tight loop (their
     * FINs: what the clients see; no selector is woken up for it), then each is closed (which wakes its selector
     * up and hands Jetty's clean-up to its thread pool); HTTP/2 sessions without a stream are told GOAWAY and
     * closed. From the calling thread: a selector's own thread may be running a blocking handler.
     */
    @Override
    public int closeIdleConnections() {
        List<EndPoint> idle = new ArrayList<>();
        int closed = 0;
        for (EndPoint endPoint : endPoints()) {
            Connection connection = httpConnection(endPoint);
            if (HTTP2 && Http2.isHttp2(connection)) {
                closed += Http2.closeIfIdle(connection, endPoint) ? 1 : 0;
            } else if (handler.idle(connection)) {
                endPoint.shutdownOutput();
                idle.add(endPoint);
            }
        }
        idle.forEach(EndPoint::close);
        return closed + idle.size();
    }

    @Override
    public int closeUpgradedConnections() {
        return WEBSOCKET ? WebSockets.goingAway(server, handler.upgradedConnections()) : 0;
    }

    @Override
    public int abortConnections() {
        List<EndPoint> endPoints = endPoints();
        endPoints.forEach(EndPoint::close);
        return endPoints.size();
    }

    @Override
    public void stop() throws Exception {
        server.stop();
    }

    private List<EndPoint> endPoints() {
        return Arrays.stream(server.getConnectors())
                .flatMap(c -> c.getConnectedEndPoints().stream())
                .filter(EndPoint::isOpen)
                .toList();
    }

    /** The connection that serves HTTP on {@code endPoint}, under TLS if any. */
    private static Connection httpConnection(EndPoint endPoint) {
        Connection connection = endPoint.getConnection();
        while (connection instanceof SslConnection ssl) {
            connection = ssl.getSslEndPoint().getConnection();
        }
        return connection;
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, Server.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
