package dev.ebb.jetty;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.ProbeResponse;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;

/**
 * The handler Ebb wraps around the application: answers the probe paths, and tracks every other request
 * through one {@link HttpStream} wrapper, Jetty's hook for "the exchange is complete" (it completes
 * after the handler's callback and the last write, also when the handler returns {@code false} or
 * throws), for "the response is about to be committed" ({@code prepareResponse}, where a servlet
 * {@code reset()} can no longer remove the header) and for "a 101 is being sent" ({@code send}). That
 * wrapper is the one object allocated per request; per-connection state is allocated once per connection.
 *
 * <p>It is also a {@link Connection.Listener} on every connector, so that it sees every connection close,
 * and the connection that replaces an HTTP/1 one on a 101 (Jetty's WebSocket upgrade adds the
 * connector's listeners to the connection it creates).
 *
 * <p>Keep-alive: when an HTTP connection has no request left in progress, its idle timeout is raised to
 * Ebb's keep-alive (a field write in Jetty's {@code IdleTimeout}); when an HTTP/1 request starts on it,
 * it goes back to the connector's value, the request I/O timeout the application set.
 */
final class EbbHandler extends Handler.Wrapper implements Connection.Listener {

    /** Whether HTTP/1 connections count responses out (Jetty 12.1); Jetty 12.0's count requests twice. */
    private static final boolean RESPONSES_COUNTED = !Server.getVersion().startsWith("12.0.");

    private final EbbCore core;
    private final boolean enabled;
    private final ConcurrentHashMap<Connection, Tracked> connections = new ConcurrentHashMap<>();
    /** Endpoints whose connection committed a 101 and is about to be replaced. */
    private final ConcurrentHashMap<EndPoint, Tracked> pendingUpgrades = new ConcurrentHashMap<>();
    /** Connections that replaced an HTTP/1 connection after a 101, until they close. */
    private final Set<Connection> upgraded = ConcurrentHashMap.newKeySet();
    /** Ebb's keep-alive in ms for connections without a request in progress; 0: leave Jetty's as is. */
    private volatile long keepAliveMs;

    EbbHandler(Handler application, EbbCore core) {
        super(application);
        this.core = core;
        this.enabled = core.config().enabled();
    }

    void keepAlive(long ms) {
        this.keepAliveMs = ms;
    }

    /** Whether the load balancer in front passes TCP through (idle connections must close before its flows). */
    boolean passThrough() {
        return core.config().passThrough();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        int probe = core.probeStatus(request.getHttpURI().getPath());
        if (probe != 0) {
            return answerProbe(probe, request, response, callback);
        }
        if (!enabled) {
            return super.handle(request, response, callback);
        }
        ConnectionMetaData meta = request.getConnectionMetaData();
        Tracked tracked = track(meta);
        tracked.inFlight.incrementAndGet();
        core.requestStarted();
        if (tracked.http1) {
            tracked.requestTimeout();
        }
        try {
            request.addHttpStreamWrapper(tracked);
        } catch (RuntimeException | Error e) {
            tracked.finished();
            throw e;
        }
        if (tracked.http2 && !tracked.goneAway && core.closing()) {
            tracked.goneAway = true;
            Http2.goAway(tracked.connection, request.getComponents().getScheduler());
        }
        return super.handle(request, response, callback);
    }

    /**
     * Whether {@code connection} may be closed as idle: neither upgraded nor being upgraded, no request in
     * progress as far as this handler has seen, and none that Jetty has parsed but not yet answered (Jetty
     * counts a request in when its headers are parsed, on the connection's own thread, and a response out
     * when it is committed): a request parsed but not yet dispatched to this handler keeps it open. What is
     * left is a request whose headers have not fully arrived, which Jetty itself treats as idle.
     *
     * <p>Jetty 12.0's HTTP/1 connection counts a request out when it counts it in; there the request its
     * channel holds from parsing until completion stands for the count.
     */
    boolean idle(Connection connection) {
        if (upgraded.contains(connection)) {
            return false;
        }
        Tracked tracked = connections.get(connection);
        if (tracked != null && (tracked.inFlight.get() > 0 || tracked.upgrading)) {
            return false;
        }
        if (!RESPONSES_COUNTED && connection instanceof HttpConnection http1) {
            return http1.getHttpChannel().getRequest() == null;
        }
        return connection.getMessagesIn() <= connection.getMessagesOut();
    }

    /** The connections upgraded after a 101 that are still open. */
    Set<Connection> upgradedConnections() {
        return upgraded;
    }

    @Override
    public void onOpened(Connection connection) {
        if (!pendingUpgrades.isEmpty() && pendingUpgrades.remove(connection.getEndPoint()) != null) {
            upgraded.add(connection);
            return;
        }
        core.connectionAccepted(); // also a connection that replaces another on the same socket: only times are kept
    }

    @Override
    public void onClosed(Connection connection) {
        Tracked tracked = connections.remove(connection);
        if (tracked != null && tracked.upgrading && !connection.getEndPoint().isOpen()
                && pendingUpgrades.remove(connection.getEndPoint(), tracked)) {
            core.upgradeClosed(); // the 101 was committed but the connection closed before the upgrade
        }
        if (upgraded.remove(connection)) {
            core.upgradeClosed();
        }
    }

    private Tracked track(ConnectionMetaData meta) {
        Connection connection = meta.getConnection();
        Tracked tracked = connections.get(connection);
        if (tracked == null) {
            tracked = new Tracked(connection, meta.getHttpVersion(), meta.getConnector().getIdleTimeout());
            Tracked raced = connections.putIfAbsent(connection, tracked);
            if (raced != null) {
                return raced;
            }
            if (!connection.getEndPoint().isOpen()) {
                connections.remove(connection);
            }
        }
        return tracked;
    }

    private boolean answerProbe(int status, Request request, Response response, Callback callback) {
        ProbeResponse probe = ProbeResponse.of(status);
        response.setStatus(probe.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ProbeResponse.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, ProbeResponse.CACHE_CONTROL);
        if (core.closing() && isHttp1(request.getConnectionMetaData().getHttpVersion())) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        }
        Content.Sink.write(response, true, probe.body(), callback);
        return true;
    }

    private static boolean isHttp1(HttpVersion version) {
        return version != HttpVersion.HTTP_2 && version != HttpVersion.HTTP_3;
    }

    /** One connection's requests in progress; also the factory of its requests' stream wrappers. */
    private final class Tracked implements Function<HttpStream, HttpStream> {
        final Connection connection;
        final EndPoint endPoint;
        final boolean http1;
        final boolean http2;
        /** The connector's idle timeout: the request I/O timeout the application set. */
        final long requestTimeoutMs;
        final AtomicInteger inFlight = new AtomicInteger();
        volatile boolean goneAway;
        volatile boolean upgrading;

        Tracked(Connection connection, HttpVersion version, long requestTimeoutMs) {
            this.connection = connection;
            this.endPoint = connection.getEndPoint();
            this.http1 = isHttp1(version);
            this.http2 = version == HttpVersion.HTTP_2;
            this.requestTimeoutMs = requestTimeoutMs;
        }

        @Override
        public HttpStream apply(HttpStream stream) {
            return new TrackedStream(stream, this);
        }

        /** A request started: back from the keep-alive to the request I/O timeout, if raised. */
        void requestTimeout() {
            long keepAlive = keepAliveMs;
            if (keepAlive > 0 && endPoint.getIdleTimeout() == keepAlive) {
                endPoint.setIdleTimeout(requestTimeoutMs);
            }
        }

        void finished() {
            if (inFlight.decrementAndGet() == 0 && !upgrading) {
                long keepAlive = keepAliveMs;
                if (keepAlive > endPoint.getIdleTimeout()) {
                    endPoint.setIdleTimeout(keepAlive); // raising: only a field write in Jetty's IdleTimeout
                }
            }
            core.requestFinished();
        }

        /** A 101 is being committed on this connection: from now on it is an upgraded connection. */
        void upgrade() {
            if (!upgrading) {
                upgrading = true;
                pendingUpgrades.put(endPoint, this);
                core.upgradeOpened();
            }
        }
    }

    /**
     * Adds {@code Connection: close} at commit when core says so (never to a 101); notices a 101; reports
     * completion exactly once.
     */
    private final class TrackedStream extends HttpStream.Wrapper {
        private final Tracked tracked;

        TrackedStream(HttpStream wrapped, Tracked tracked) {
            super(wrapped);
            this.tracked = tracked;
        }

        @Override
        public void prepareResponse(HttpFields.Mutable headers) {
            if (tracked.http1 && core.closing() && !headers.contains(HttpHeader.UPGRADE) && core.closeConnection()) {
                headers.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
            }
            super.prepareResponse(headers);
        }

        @Override
        public void send(MetaData.Request request, MetaData.Response response, boolean last, ByteBuffer content,
                Callback callback) {
            if (response != null && response.getStatus() == HttpStatus.SWITCHING_PROTOCOLS_101 && tracked.http1) {
                tracked.upgrade();
            }
            super.send(request, response, last, content, callback);
        }

        @Override
        public void succeeded() {
            // Counted before Jetty moves on: on HTTP/1 it may go on to parse and run the next request here.
            tracked.finished();
            super.succeeded();
        }

        @Override
        public void failed(Throwable failure) {
            tracked.finished();
            super.failed(failure);
        }
    }
}
