package dev.ebb.jetty;

import dev.ebb.spi.KeepAlive;
import dev.ebb.spi.ServerAdapter;
import java.time.Duration;
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

    /** {@code AbstractConnector}'s default idle timeout; any other value was set by the application. */
    private static final long JETTY_DEFAULT_IDLE_TIMEOUT_MS = 30_000;
    private static final boolean HTTP2 = classPresent("org.eclipse.jetty.http2.server.AbstractHTTP2ServerConnectionFactory");

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

    @Override
    public KeepAlive keepAlive() {
        long shortest = Long.MAX_VALUE;
        boolean explicit = false;
        for (Connector connector : server.getConnectors()) {
            long ms = connector.getIdleTimeout();
            explicit |= ms != JETTY_DEFAULT_IDLE_TIMEOUT_MS;
            if (ms > 0) {
                shortest = Math.min(shortest, ms);
            }
        }
        if (shortest == Long.MAX_VALUE) {
            return server.getConnectors().length == 0
                    ? KeepAlive.serverDefault(Duration.ofMillis(JETTY_DEFAULT_IDLE_TIMEOUT_MS)) : KeepAlive.none();
        }
        Duration timeout = Duration.ofMillis(shortest);
        return explicit ? KeepAlive.explicit(timeout) : KeepAlive.serverDefault(timeout);
    }

    @Override
    public void setKeepAliveTimeout(Duration timeout) {
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof AbstractConnector c) {
                c.setIdleTimeout(timeout.toMillis());
            }
        }
    }

    @Override
    public void startDeregistering() {
        if (HTTP2) {
            for (Connector connector : server.getConnectors()) {
                Http2.goAwayAll(connector);
            }
        }
    }

    /** Closes the listening sockets; not {@code shutdown()}, which cuts every idle timeout to 1 s. */
    @Override
    public void closeListeners() {
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof NetworkConnector c) {
                c.close();
            }
        }
    }

    @Override
    public int closeIdleConnections() {
        int closed = 0;
        for (EndPoint endPoint : endPoints()) {
            Connection connection = httpConnection(endPoint);
            if (HTTP2 && Http2.isHttp2(connection)) {
                closed += Http2.closeIfIdle(connection, endPoint) ? 1 : 0;
            } else if (!handler.busy(connection)) {
                endPoint.close();
                closed++;
            }
        }
        return closed;
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
