package dev.ebb.jetty;

import dev.ebb.spi.KeepAlive;
import dev.ebb.spi.ServerAdapter;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectableChannelEndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.ContainerLifeCycle;

/**
 * Ebb's operations on one Jetty {@link Server}, called by core from its shutdown thread. Decides nothing.
 */
final class JettyServerAdapter implements ServerAdapter {

    /** {@code AbstractConnector}'s default idle timeout. */
    private static final long JETTY_DEFAULT_IDLE_TIMEOUT_MS = 30_000;
    /** The longest wait for the selectors to close their idle connections (core's drain deadline bounds it too). */
    private static final long SELECTOR_WAIT_MS = 10_000;
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
     * whose body stalls, a slow client, a TLS handshake).
     */
    @Override
    public void setKeepAliveTimeout(Duration timeout) {
        handler.keepAlive(timeout.toMillis());
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
     * Closes the idle connections. Those of a selector (every {@code ServerConnector}'s) are closed by one task on
     * that selector's thread, which goes through all of its connections: closing from any other thread wakes the
     * selector up once per connection. HTTP/2 sessions, which are told GOAWAY first, and connections of other
     * connectors are closed from the calling thread. Waits (bounded) for the selectors; returns how many it closed.
     */
    @Override
    public int closeIdleConnections() {
        List<ManagedSelector> selectors = Arrays.stream(server.getConnectors())
                .filter(ContainerLifeCycle.class::isInstance)
                .flatMap(c -> ((ContainerLifeCycle) c).getContainedBeans(ManagedSelector.class).stream())
                .toList();
        AtomicInteger closed = new AtomicInteger();
        Set<EndPoint> http2 = ConcurrentHashMap.newKeySet();
        CountDownLatch done = new CountDownLatch(selectors.size());
        for (ManagedSelector selector : selectors) {
            selector.submit(nioSelector -> {
                int n = 0;
                for (SelectionKey key : nioSelector.keys()) {
                    if (key.isValid() && key.attachment() instanceof EndPoint endPoint && endPoint.isOpen()) {
                        if (HTTP2 && Http2.isHttp2(httpConnection(endPoint))) {
                            http2.add(endPoint);
                        } else if (closeIfIdle(endPoint)) {
                            n++;
                        }
                    }
                }
                closed.addAndGet(n);
                done.countDown();
            });
        }
        boolean selectorsDone = await(done);
        for (EndPoint endPoint : endPoints()) {
            // HTTP/2, other connectors, and whatever a selector that did not answer in time still holds
            if (http2.contains(endPoint) || !selectorsDone || !(endPoint instanceof SelectableChannelEndPoint)) {
                closed.addAndGet(closeIfIdle(endPoint) ? 1 : 0);
            }
        }
        return closed.get();
    }

    private boolean closeIfIdle(EndPoint endPoint) {
        Connection connection = httpConnection(endPoint);
        if (HTTP2 && Http2.isHttp2(connection)) {
            return Http2.closeIfIdle(connection, endPoint);
        }
        if (handler.idle(connection)) {
            endPoint.close();
            return true;
        }
        return false;
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(SELECTOR_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
