package dev.ebb.undertow;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.ProbeResponse;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.protocols.http2.Http2Channel;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.DelegateOpenListener;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ResponseCommitListener;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http2.Http2OpenListener;
import io.undertow.server.protocol.http2.Http2ReceiveListener;
import io.undertow.server.protocol.http2.Http2ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.Buffers;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.PushBackStreamSourceConduit;

/**
 * The root handler Ebb puts in front of the application's, and the registry of the TCP connections
 * its listeners accepted.
 *
 * <p>Per request: probe paths are answered here; any other request is counted in core and on its
 * connection, told to close at commit when core says so (HTTP/1, never a 101), and uncounted at exchange
 * completion, where a 101 is reported to core as an upgraded connection. The per-connection {@link Conn}
 * is found through a connection attachment (on HTTP/2 the attachment lives on the shared
 * {@code Http2Channel}, so all streams of a connection see the same one), so a request allocates nothing
 * of Ebb's. Thread-safe.
 */
final class EbbHandler implements HttpHandler {

    private static final AttachmentKey<Conn> CONN = AttachmentKey.create(Conn.class);
    /** From the graceful GOAWAY to the final one: a round trip on any network a load balancer sits in. */
    static final long FINAL_GOAWAY_AFTER_MS = 1000;
    private static final byte[] PING = {'e', 'b', 'b', '-', 'g', 'o', 'n', 'e'};

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
            ProbeResponse response = ProbeResponse.of(probe);
            exchange.setStatusCode(response.status());
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, ProbeResponse.CONTENT_TYPE);
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, ProbeResponse.CACHE_CONTROL);
            if (core.closing() && !exchange.getProtocol().equals(io.undertow.util.Protocols.HTTP_2_0)) {
                exchange.setPersistent(false);
            }
            exchange.getResponseSender().send(response.body());
            return;
        }
        if (!enabled) {
            next.handleRequest(exchange);
            return;
        }
        Conn conn = conn(exchange.getConnection());
        conn.inFlight.incrementAndGet();
        core.requestStarted();
        if (conn.http2 && core.closing()) {
            conn.goAway(); // a connection opened while deregistering: told at its first stream
        }
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
        }
        connection.putAttachment(CONN, conn);
        return conn;
    }

    /** Wraps an open listener so that every accepted connection is known, also before its first request. */
    ChannelListener<StreamConnection> tracking(ChannelListener<StreamConnection> openListener) {
        return sc -> {
            core.connectionAccepted();
            SocketAddress peer = sc.getPeerAddress();
            Conn conn = new Conn(sc, peer);
            if (peer != null) {
                connections.put(peer, conn);
            }
            openListener.handleEvent(sc); // installs Undertow's own close listener; may serve a first request
            conn.watchClose();
            if (!sc.isOpen()) {
                conn.closed();
            }
        };
    }

    /**
     * The HTTP/2 protocol of an HTTPS listener's ALPN: what Undertow's {@link Http2OpenListener} does, with
     * the connection's {@link Http2Channel} kept, so that a draining connection can be told GOAWAY.
     */
    DelegateOpenListener http2Listener(ByteBufferPool pool, OptionMap options) {
        return new DelegateOpenListener() {
            private volatile HttpHandler rootHandler = EbbHandler.this;
            private volatile OptionMap undertowOptions = options;

            @Override
            public void handleEvent(StreamConnection sc, PooledByteBuffer buffer) {
                GoAwayConduit conduit = new GoAwayConduit(sc.getSinkChannel().getConduit());
                sc.getSinkChannel().setConduit(conduit);
                Http2Channel channel = new Http2Channel(sc, Http2OpenListener.HTTP2, pool, buffer, false, false,
                        undertowOptions);
                int idle = undertowOptions.get(UndertowOptions.IDLE_TIMEOUT, 0);
                if (idle > 0) {
                    channel.setIdleTimeout(idle);
                }
                Conn conn = sc.getPeerAddress() == null ? null : connections.get(sc.getPeerAddress());
                if (conn != null && conn.sc == sc) {
                    conn.http2 = true;
                    conn.conduit = conduit;
                    conn.channel = channel;
                    channel.putAttachment(CONN, conn);
                }
                channel.getReceiveSetter().set(new Http2ReceiveListener(rootHandler, undertowOptions,
                        pool.getBufferSize(), null));
                channel.resumeReceives();
            }

            @Override
            public void handleEvent(StreamConnection sc) {
                handleEvent(sc, null);
            }

            @Override
            public HttpHandler getRootHandler() {
                return rootHandler;
            }

            @Override
            public void setRootHandler(HttpHandler handler) {
                this.rootHandler = handler;
            }

            @Override
            public OptionMap getUndertowOptions() {
                return undertowOptions;
            }

            @Override
            public void setUndertowOptions(OptionMap undertowOptions) {
                this.undertowOptions = undertowOptions;
            }

            @Override
            public ByteBufferPool getBufferPool() {
                return pool;
            }

            @Override
            public ConnectorStatistics getConnectorStatistics() {
                return null;
            }
        };
    }

    /**
     * A cleartext listener's first step when HTTP/2 is enabled: a connection that opens with the HTTP/2
     * preface (prior knowledge) goes to {@code h2} with the bytes read, so that Ebb holds its channel; any
     * other goes to {@code http1} with the bytes pushed back, as if read by no one. A connection still silent
     * after {@code giveUpMs} goes to {@code http1}, which applies Undertow's own timeouts (and its own
     * prior-knowledge support).
     */
    ChannelListener<StreamConnection> priorKnowledge(ChannelListener<StreamConnection> http1, DelegateOpenListener h2,
            ByteBufferPool pool, long giveUpMs) {
        return sc -> new Preface(sc, http1, h2, pool).start(giveUpMs);
    }

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Reads the first bytes of a cleartext connection to tell HTTP/2 prior knowledge from HTTP/1. */
    private final class Preface implements ChannelListener<ConduitStreamSourceChannel> {
        private final StreamConnection sc;
        private final ChannelListener<StreamConnection> http1;
        private final DelegateOpenListener h2;
        private final ByteBufferPool pool;
        private final ByteBuffer head = ByteBuffer.allocate(PREFACE.length);
        private volatile boolean decided;
        private volatile XnioExecutor.Key giveUp;

        Preface(StreamConnection sc, ChannelListener<StreamConnection> http1, DelegateOpenListener h2, ByteBufferPool pool) {
            this.sc = sc;
            this.http1 = http1;
            this.h2 = h2;
            this.pool = pool;
        }

        void start(long giveUpMs) {
            if (!readAndDecide()) {
                sc.getSourceChannel().setReadListener(this);
                sc.getSourceChannel().resumeReads();
                giveUp = sc.getIoThread().executeAfter(this::giveUp, giveUpMs, TimeUnit.MILLISECONDS);
                if (decided) {
                    giveUp.remove();
                }
            }
        }

        private void decided() {
            decided = true;
            XnioExecutor.Key key = giveUp;
            if (key != null) {
                key.remove();
            }
        }

        @Override
        public void handleEvent(ConduitStreamSourceChannel channel) {
            readAndDecide();
        }

        private void giveUp() {
            if (!decided && sc.isOpen()) {
                sc.getSourceChannel().suspendReads();
                http1();
            }
        }

        /** Reads what is there; whether the connection has been handed over (or closed). */
        private boolean readAndDecide() {
            if (decided) {
                return true;
            }
            int read;
            try {
                read = sc.getSourceChannel().read(head);
            } catch (IOException e) {
                decided();
                IoUtils.safeClose(sc);
                return true;
            }
            int n = head.position();
            for (int i = 0; i < n; i++) {
                if (head.get(i) != PREFACE[i]) {
                    http1();
                    return true;
                }
            }
            if (n == PREFACE.length) {
                decided();
                sc.getSourceChannel().suspendReads();
                head.flip();
                PooledByteBuffer data = pool.allocate();
                data.getBuffer().clear();
                data.getBuffer().put(head).flip();
                h2.handleEvent(sc, data);
                handedOver();
                return true;
            }
            if (read == -1) {
                decided();
                IoUtils.safeClose(sc);
                return true;
            }
            return false;
        }

        private void http1() {
            decided();
            sc.getSourceChannel().suspendReads();
            head.flip();
            if (head.hasRemaining()) {
                PushBackStreamSourceConduit pushBack = new PushBackStreamSourceConduit(sc.getSourceChannel().getConduit());
                pushBack.pushBack(Buffers.pooledWrapper(head));
                sc.getSourceChannel().setConduit(pushBack);
            }
            http1.handleEvent(sc);
            handedOver();
        }

        private void handedOver() {
            SocketAddress peer = sc.getPeerAddress();
            Conn conn = peer == null ? null : connections.get(peer);
            if (conn != null && conn.sc == sc) {
                conn.watchClose();
            }
        }
    }

    /** See {@link EbbUndertow#websocket(WebSocketConnectionCallback)}. */
    static HttpHandler websocket(WebSocketConnectionCallback callback) {
        WebSocketConnectionCallback tracked = (exchange, channel) -> {
            Conn conn = exchange.getAttachment(CONN);
            if (conn != null) {
                conn.webSocket = channel;
            }
            callback.onConnect(exchange, channel);
        };
        WebSocketProtocolHandshakeHandler handshake = new WebSocketProtocolHandshakeHandler(tracked);
        return exchange -> {
            Conn conn = exchange.getConnection().getAttachment(CONN);
            if (conn != null) {
                exchange.putAttachment(CONN, conn);
            }
            handshake.handleRequest(exchange);
        };
    }

    /** Deregistering: each HTTP/2 connection Ebb holds the channel of gets the graceful, then the final GOAWAY. */
    void goAwayHttp2() {
        for (Conn conn : connections.values()) {
            conn.goAway();
        }
    }

    private void forget(Conn conn) {
        if (conn.peer != null) {
            connections.remove(conn.peer, conn);
        }
    }

    /**
     * Closes the connections with no request in flight, each on its own I/O thread, where Undertow reads its
     * requests: one task per I/O thread goes through all of that thread's connections (10,000 connections are a
     * handful of tasks, not 10,000 wake-ups). In that task the idle HTTP/1 connections' FINs go first, in a tight
     * loop (their output shut down: what the client sees), then each is closed through XNIO; no request is read
     * on them in between. Waits for them, at most {@code waitMs}; returns how many it closed. Upgraded connections
     * are never idle.
     */
    int closeIdle(long waitMs) {
        Map<XnioIoThread, List<Conn>> byThread = new IdentityHashMap<>();
        for (Conn conn : connections.values()) {
            if (conn.upgraded || conn.sc == null) {
                continue;
            }
            conn.closeWhenIdle = true; // HTTP/2: closes after its last stream; HTTP/1 closes by Connection: close
            byThread.computeIfAbsent(conn.sc.getIoThread(), t -> new ArrayList<>()).add(conn);
        }
        CountDownLatch done = new CountDownLatch(byThread.size());
        AtomicInteger closed = new AtomicInteger();
        byThread.forEach((thread, conns) -> {
            try {
                thread.execute(() -> {
                    int n = 0;
                    for (Conn conn : conns) {
                        conn.finIfIdleHere();
                    }
                    for (Conn conn : conns) {
                        n += conn.closeIfIdleHere() ? 1 : 0;
                    }
                    closed.addAndGet(n);
                    done.countDown();
                });
            } catch (RuntimeException e) { // the thread is shutting down: its connections are closing with it
                done.countDown();
            }
        });
        try {
            done.await(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return closed.get();
    }

    /** Tells every WebSocket Ebb knows of "going away" (1001) through Undertow's WebSocket API; returns how many. */
    int closeWebSockets() {
        int told = 0;
        for (Conn conn : connections.values()) {
            WebSocketChannel ws = conn.webSocket;
            if (conn.upgraded && ws != null && ws.isOpen() && !ws.isCloseFrameSent()) {
                ws.getIoThread().execute(() -> WebSockets.sendClose(CloseMessage.GOING_AWAY, "", ws, null));
                told++;
            }
        }
        return told;
    }

    /** Closes every connection still open, upgraded ones included, cutting what is in flight; returns how many. */
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
        final AtomicBoolean closeReported = new AtomicBoolean();
        final AtomicBoolean goingAway = new AtomicBoolean();
        volatile boolean http2;
        volatile boolean closeWhenIdle;
        volatile boolean upgraded;
        /** The connection's HTTP/2 channel, when Ebb opened it (HTTPS with ALPN h2). */
        volatile Http2Channel channel;
        /** The write side of that channel, which can send the graceful GOAWAY. */
        volatile GoAwayConduit conduit;
        /** The WebSocket on this connection, when the application serves it through {@link EbbHandler#websocket}. */
        volatile WebSocketChannel webSocket;
        private volatile ChannelListener<? super StreamConnection> closeListener;

        Conn(StreamConnection sc, SocketAddress peer) {
            this.sc = sc;
            this.peer = peer;
        }

        /**
         * Puts Ebb's close listener in front of the connection's current one (Undertow's, or after an
         * upgrade the upgraded protocol's), unless it is still there.
         */
        void watchClose() {
            ChannelListener<? super StreamConnection> theirs = sc.getCloseListener();
            if (theirs != null && theirs == closeListener) {
                return;
            }
            ChannelListener<StreamConnection> ours = c -> {
                closed();
                ChannelListeners.invokeChannelListener(c, theirs);
            };
            closeListener = ours;
            sc.setCloseListener(ours);
        }

        /**
         * HTTP/2, once: the graceful GOAWAY (last-stream-id 2^31-1) now, with a PING so that it is written at
         * once; after {@link #FINAL_GOAWAY_AFTER_MS} the final one (Undertow's own, naming the last stream it
         * took) as soon as no stream is in flight, and Undertow closes the connection after it.
         */
        void goAway() {
            Http2Channel h2 = channel;
            GoAwayConduit gc = conduit;
            if (h2 == null || gc == null || !goingAway.compareAndSet(false, true)) {
                return;
            }
            h2.getIoThread().execute(() -> {
                if (!h2.isOpen() || h2.isThisGoneAway()) {
                    return;
                }
                boolean told;
                synchronized (h2) { // Undertow writes frames under this monitor
                    told = gc.goAway();
                }
                if (!told) { // nothing written yet, so no stream either: told at its first stream
                    goingAway.set(false);
                    return;
                }
                h2.sendPing(PING);
                h2.getIoThread().executeAfter(() -> {
                    closeWhenIdle = true;
                    if (inFlight.get() == 0) {
                        closeIfIdle();
                    }
                }, FINAL_GOAWAY_AFTER_MS, TimeUnit.MILLISECONDS);
            });
        }

        void closed() {
            forget(this);
            if (upgraded && closeReported.compareAndSet(false, true)) {
                core.upgradeClosed();
            }
        }

        @Override
        public void beforeCommit(HttpServerExchange exchange) {
            if (!exchange.isUpgrade() && core.closeConnection()) {
                exchange.setPersistent(false);
            }
        }

        @Override
        public void exchangeEvent(HttpServerExchange exchange, NextListener nextListener) {
            boolean upgrade = sc != null && !http2 && exchange.isUpgrade() && exchange.getStatusCode() == 101;
            if (upgrade) {
                upgraded = true;
                core.upgradeOpened();
            }
            try {
                nextListener.proceed(); // on an upgrade, hands the connection to the upgraded protocol
            } finally {
                if (upgrade) {
                    sc.getIoThread().execute(this::watchUpgraded);
                }
                int left = inFlight.decrementAndGet();
                if (left == 0 && http2 && closeWhenIdle) {
                    closeIfIdle();
                }
                core.requestFinished();
            }
        }

        /** After the upgrade: Ebb's close listener in front of the upgraded protocol's; the close reported if it came first. */
        private void watchUpgraded() {
            watchClose();
            if (!sc.isOpen()) {
                closed();
            }
        }

        /**
         * Closes the connection on its I/O thread if it is still idle there. Frames of an HTTP/2 stream
         * are read on that thread too, so a stream either started before (and the close is skipped) or
         * was not yet read (and is beyond the GOAWAY's last stream id, or the peer never saw it accepted).
         * An HTTP/2 connection whose channel Ebb holds is told GOAWAY (NO_ERROR, the last stream it took),
         * which Undertow follows with the close.
         */
        void closeIfIdle() {
            if (sc != null) {
                sc.getIoThread().execute(this::closeIfIdleHere);
            }
        }

        /** On the connection's I/O thread: an idle HTTP/1 connection's output is shut down (a FIN, never a reset). */
        void finIfIdleHere() {
            if (!http2 && channel == null && inFlight.get() == 0 && sc.isOpen()) {
                try {
                    sc.getSinkChannel().shutdownWrites();
                } catch (IOException e) {
                    // the close that follows ends the connection all the same
                }
            }
        }

        /** {@link #closeIfIdle()} on the connection's I/O thread; whether it closed (or told GOAWAY). */
        boolean closeIfIdleHere() {
            if (inFlight.get() != 0 || !sc.isOpen()) {
                return false;
            }
            Http2Channel h2 = channel;
            if (h2 != null && h2.isOpen()) {
                h2.sendGoAway(Http2Channel.ERROR_NO_ERROR);
            } else {
                IoUtils.safeClose(sc);
            }
            return true;
        }
    }
}
