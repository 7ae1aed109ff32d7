package dev.ebb.undertow;

import dev.ebb.spi.EbbCore;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ResponseCommitListener;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http2.Http2ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * The root handler Ebb puts in front of the application's, and the registry of the TCP connections
 * its listeners accepted.
 *
 * <p>Per request: probe paths are answered here; any other request is counted in core and on its
 * connection, told to close at commit when core says so (HTTP/1), and uncounted at exchange
 * completion. The per-connection {@link Conn} is found through a connection attachment (on HTTP/2
 * the attachment lives on the shared {@code Http2Channel}, so all streams of a connection see the
 * same one), so a request allocates nothing of Ebb's. Thread-safe.
 */
final class EbbHandler implements HttpHandler {

    private static final AttachmentKey<Conn> CONN = AttachmentKey.create(Conn.class);

    private final EbbCore core;
    private final HttpHandler next;
    private final boolean enabled;
    /** Live connections by peer address: a TCP connection's stable identity across an h2c upgrade. */
    private final Map<SocketAddress, Conn> connections = new ConcurrentHashMap<>();

    EbbHandler(EbbCore core, HttpHandler next) {
        this.core = core;
        this.next = next;
        this.enabled = core.config().enabled();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        int probe = core.probeStatus(exchange.getRequestPath());
        if (probe != 0) {
            exchange.setStatusCode(probe);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
            exchange.getResponseSender().send(probe == 200 ? "ok\n" : "unavailable\n");
            return;
        }
        if (!enabled) {
            next.handleRequest(exchange);
            return;
        }
        Conn conn = conn(exchange.getConnection());
        conn.inFlight.incrementAndGet();
        core.requestStarted();
        exchange.addExchangeCompleteListener(conn);
        if (!conn.http2) {
            exchange.addResponseCommitListener(conn);
        }
        next.handleRequest(exchange);
    }

    private Conn conn(ServerConnection connection) {
        Conn conn = connection.getAttachment(CONN);
        if (conn != null) {
            return conn;
        }
        SocketAddress peer = connection.getPeerAddress();
        conn = peer == null ? null : connections.get(peer);
        if (conn == null) {
            conn = new Conn(null, peer); // accepted by a listener Ebb does not own: counted, never closed
        }
        if (connection instanceof Http2ServerConnection) {
            conn.http2 = true;
            conn.closeWhenIdle |= core.closing();
        }
        connection.putAttachment(CONN, conn);
        return conn;
    }

    /** Wraps an open listener so that every accepted connection is known, also before its first request. */
    ChannelListener<StreamConnection> tracking(ChannelListener<StreamConnection> openListener) {
        return sc -> {
            SocketAddress peer = sc.getPeerAddress();
            Conn conn = new Conn(sc, peer);
            if (peer != null) {
                connections.put(peer, conn);
            }
            openListener.handleEvent(sc); // installs Undertow's own close listener; may serve a first request
            ChannelListener<? super StreamConnection> theirs = sc.getCloseListener();
            sc.setCloseListener(c -> {
                forget(conn);
                ChannelListeners.invokeChannelListener(c, theirs);
            });
            if (!sc.isOpen()) {
                forget(conn);
            }
        };
    }

    private void forget(Conn conn) {
        if (conn.peer != null) {
            connections.remove(conn.peer, conn);
        }
    }

    /** Deregistering: each HTTP/2 connection closes once it has no stream in flight (HTTP/1 is told per response). */
    void closeHttp2WhenIdle() {
        for (Conn conn : connections.values()) {
            if (conn.http2) {
                conn.closeWhenIdle = true;
            }
        }
    }

    /** Closes the connections with no request in flight, each on its own I/O thread; returns how many. */
    int closeIdle() {
        int closed = 0;
        for (Conn conn : connections.values()) {
            if (conn.inFlight.get() == 0 && conn.sc != null && conn.sc.isOpen()) {
                conn.closeWhenIdle = true;
                conn.closeIfIdle();
                closed++;
            } else {
                conn.closeWhenIdle = true; // HTTP/2: closes after its last stream; HTTP/1 closes by Connection: close
            }
        }
        return closed;
    }

    /** Closes every connection still open, cutting what is in flight; returns how many. */
    int abortAll() {
        int aborted = 0;
        for (Conn conn : connections.values()) {
            if (conn.sc != null && conn.sc.isOpen()) {
                StreamConnection sc = conn.sc;
                sc.getIoThread().execute(() -> IoUtils.safeClose(sc));
                aborted++;
            }
        }
        return aborted;
    }

    /** One TCP connection: its requests in flight, and both per-request callbacks (allocated once). */
    private final class Conn implements ExchangeCompletionListener, ResponseCommitListener {
        final StreamConnection sc;
        final SocketAddress peer;
        final AtomicInteger inFlight = new AtomicInteger();
        volatile boolean http2;
        volatile boolean closeWhenIdle;

        Conn(StreamConnection sc, SocketAddress peer) {
            this.sc = sc;
            this.peer = peer;
        }

        @Override
        public void beforeCommit(HttpServerExchange exchange) {
            if (core.closeConnection()) {
                exchange.setPersistent(false);
            }
        }

        @Override
        public void exchangeEvent(HttpServerExchange exchange, NextListener nextListener) {
            try {
                nextListener.proceed();
            } finally {
                int left = inFlight.decrementAndGet();
                if (left == 0 && http2 && closeWhenIdle) {
                    closeIfIdle();
                }
                core.requestFinished();
            }
        }

        /**
         * Closes the connection on its I/O thread if it is still idle there. Frames of an HTTP/2 stream
         * are read on that thread too, so a stream either started before (and the close is skipped) or
         * was not yet read (and the peer never saw it accepted).
         */
        void closeIfIdle() {
            if (sc == null) {
                return;
            }
            sc.getIoThread().execute(() -> {
                if (inFlight.get() == 0) {
                    IoUtils.safeClose(sc);
                }
            });
        }
    }
}
