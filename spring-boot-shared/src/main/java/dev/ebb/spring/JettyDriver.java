package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.util.Jetty;
import org.springframework.core.env.Environment;

/**
 * Ebb's operations on the Jetty that Spring Boot started: a graceful GOAWAY on every HTTP/2 session at
 * DEREGISTERING, then at DRAINING the listener closes (not Jetty's graceful {@code shutdown()}, which would
 * cut every idle timeout to a second), HTTP/1 connections between requests and HTTP/2 sessions without a
 * stream close, and the drain timeout closes what is left. WebSocket connections are counted as they open
 * and close (a listener on the connectors; the WebSocket connection opens just after its upgrade request
 * has finished); the application's Spring WebSocket sessions are told 1001.
 */
final class JettyDriver implements BootServer {

    private static final boolean HTTP2 = JettyHttp2.present();
    /** A Jetty connector's idle timeout by default. */
    private static final Duration JETTY_DEFAULT = Duration.ofSeconds(30);

    private final BootServerAdapter adapter;
    private final Upgrades upgrades;
    private volatile Server server;

    JettyDriver(EbbCore core, BootServerAdapter adapter) {
        this.adapter = adapter;
        this.upgrades = new Upgrades(core);
    }

    /** Jetty's WebSocket connections, reported to Ebb when they open and when they close; other new connections too. */
    private static final class Upgrades implements Connection.Listener {

        private static final String WEBSOCKET_PACKAGE = "org.eclipse.jetty.websocket.";

        private final EbbCore core;
        private final Set<Connection> open = ConcurrentHashMap.newKeySet();

        Upgrades(EbbCore core) {
            this.core = core;
        }

        @Override
        public void onOpened(Connection connection) {
            if (connection.getClass().getName().startsWith(WEBSOCKET_PACKAGE)) {
                if (open.add(connection)) {
                    core.upgradeOpened();
                }
            } else {
                core.connectionAccepted();
            }
        }

        @Override
        public void onClosed(Connection connection) {
            if (open.remove(connection)) {
                core.upgradeClosed();
            }
        }
    }

    /**
     * Keeps Jetty's HTTP/1.1 connections open between requests for longer than the load balancer's idle
     * timeout, without stretching the connector's idle timeout ({@code server.jetty.connection-idle-timeout}),
     * which goes on bounding every request's I/O as on the bare server: the connector's HTTP/1.1 connection
     * factory is replaced by {@link JettyKeepAliveConnections}. Jetty has no keep-alive setting of its own, so
     * its idle timeout is the keep-alive Ebb starts from, never lowered. Tells the adapter which server it is;
     * what to do to the server before it starts, if anything.
     */
    static Optional<Consumer<Server>> keepAlive(EbbCore core, BootServerAdapter adapter, Environment environment) {
        Duration idleTimeout = BootServerAdapter.property(environment, "server.jetty.connection-idle-timeout")
                .orElse(JETTY_DEFAULT);
        adapter.use("Jetty " + Jetty.VERSION, KeepAlive.serverDefault(idleTimeout));
        return core.applyKeepAlive().map(timeout -> server -> {
            Duration keepAlive = timeout.compareTo(idleTimeout) > 0 ? timeout : idleTimeout;
            for (Connector connector : server.getConnectors()) {
                HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
                if (connector instanceof AbstractConnector abstractConnector && http != null) {
                    abstractConnector.addConnectionFactory(new JettyKeepAliveConnections(http, keepAlive));
                }
            }
        });
    }

    /** The application's Jetty has started: Ebb drives it from now on. */
    void started(Server started) {
        server = started;
        for (Connector connector : server.getConnectors()) {
            connector.addBean(upgrades);
        }
        BootServerAdapter.WebSockets webSockets = adapter.webSockets();
        if (webSockets != null) {
            webSockets.track(false);
        }
        adapter.drive(this);
    }

    @Override
    public void startDeregistering() {
        if (HTTP2) {
            for (Connector connector : server.getConnectors()) {
                JettyHttp2.goAwayAll(connector);
            }
        }
    }

    @Override
    public void closeListeners() {
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof NetworkConnector network) {
                Object transport = network.getTransport();
                if (network instanceof AbstractConnector a && a.getAcceptors() == 0) {
                    a.setAccepting(false);
                }
                network.close();
                // Without acceptor threads Jetty's close() leaves the listening channel to its selector: close it.
                if (transport instanceof java.nio.channels.Channel channel && channel.isOpen()) {
                    try {
                        channel.close();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        }
    }

    @Override
    public int closeIdleConnections() {
        int closed = 0;
        for (EndPoint endPoint : endPoints()) {
            Connection connection = httpConnection(endPoint);
            if (connection instanceof HttpConnection http1) {
                if (http1.getHttpChannel().getRequest() == null) {
                    endPoint.close();
                    closed++;
                }
            } else if (HTTP2 && JettyHttp2.isHttp2(connection)) {
                closed += JettyHttp2.closeIfIdle(connection, endPoint) ? 1 : 0;
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

    private List<EndPoint> endPoints() {
        List<EndPoint> open = new ArrayList<>();
        for (Connector connector : server.getConnectors()) {
            for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                if (endPoint.isOpen()) {
                    open.add(endPoint);
                }
            }
        }
        return open;
    }

    /** The connection that serves HTTP on {@code endPoint}, under TLS if any. */
    static Connection httpConnection(EndPoint endPoint) {
        Connection connection = endPoint.getConnection();
        while (connection instanceof SslConnection ssl) {
            connection = ssl.getSslEndPoint().getConnection();
        }
        return connection;
    }
}
