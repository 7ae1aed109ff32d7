package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Ebb's operations on the Jetty that Spring Boot started: a graceful GOAWAY on every HTTP/2 session at
 * DEREGISTERING, then at DRAINING the listener closes (not Jetty's graceful {@code shutdown()}, which would
 * cut every idle timeout to a second), HTTP/1 connections between requests and HTTP/2 sessions without a
 * stream close, and the drain timeout closes what is left. WebSocket connections are counted as they open
 * and close (a listener on the connectors; the WebSocket connection opens just after its upgrade request
 * has finished); the application's Spring WebSocket sessions are told 1001.
 */
final class JettyUnderBoot implements BootServer, ApplicationListener<WebServerInitializedEvent> {

    private static final boolean HTTP2 = JettyHttp2.present();

    private final BootServerAdapter adapter;
    private final Upgrades upgrades;
    private volatile Server server;

    JettyUnderBoot(EbbCore core, BootServerAdapter adapter) {
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

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getWebServer() instanceof JettyWebServer jetty
                && event.getApplicationContext().getServerNamespace() == null) {
            server = jetty.getServer();
            for (Connector connector : server.getConnectors()) {
                connector.addBean(upgrades);
            }
            WebSocketSessions webSockets = adapter.webSockets();
            if (webSockets != null) {
                webSockets.track(false);
            }
            adapter.drive(this);
        }
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
    public int closeUpgradedConnections() {
        WebSocketSessions webSockets = adapter.webSockets();
        return webSockets == null ? 0 : webSockets.goingAway();
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
