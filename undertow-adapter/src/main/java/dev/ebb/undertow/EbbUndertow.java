package dev.ebb.undertow;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.spi.EbbCore;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import io.undertow.server.protocol.http2.Http2UpgradeHandler;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.websockets.WebSocketConnectionCallback;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.Option;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/**
 * An Undertow 2.4 or 2.3 server with Ebb's graceful shutdown: build it as you would an {@link Undertow}, then
 * {@link Builder#start() start} it and keep {@link #ebb()}.
 *
 * <pre>{@code
 * EbbUndertow server = EbbUndertow.builder(EbbConfig.fromSystem())
 *         .addHttpListener(8080, "0.0.0.0")
 *         .setHandler(app)
 *         .start();
 * }</pre>
 *
 * <p>Ebb answers the probe paths, counts every other request, answers with {@code Connection: close}
 * once the shutdown has begun (never on a {@code 101}), and sets the keep-alive timeout
 * ({@link UndertowOptions#NO_REQUEST_TIMEOUT}, Undertow's default 60 s; a value set with
 * {@link Builder#setServerOption} counts as the application's own, and so does an
 * {@link UndertowOptions#IDLE_TIMEOUT} below it, which closes idle connections first). Ebb opens the HTTP
 * and HTTPS listeners itself, with Undertow's own open listeners ({@link HttpOpenListener}, and for HTTPS
 * {@link UndertowXnioSsl} with {@link AlpnOpenListener}) on the {@link Undertow}'s worker, so that it can
 * close the listening sockets while connections live on: {@link Undertow#getListenerInfo()} is empty and
 * {@link #addresses()} lists them instead. With {@code ebb.enabled=false} the listeners are Undertow's own
 * and the server is a plain {@link Undertow} (stop it with {@code undertow().stop()}); only the probe
 * paths remain.
 *
 * <p><b>HTTP/2</b> ({@code UndertowOptions.ENABLE_HTTP2}: ALPN {@code h2} on HTTPS listeners, prior knowledge
 * and {@code Upgrade: h2c} on HTTP ones). Undertow (2.3 and 2.4) cannot send a graceful GOAWAY: its
 * {@code Http2Channel.sendGoAway} names the last stream taken and closes the connection once the frame is
 * written, and a request cannot reach its {@code Http2Channel} through public API. So Ebb opens ALPN
 * {@code h2} and prior-knowledge connections itself (Undertow's {@code Http2Channel} and
 * {@code Http2ReceiveListener}, as Undertow's own listeners do), keeps the channel, and puts a conduit under
 * it that follows Undertow's frame boundaries. When deregistering begins, each such connection gets a
 * graceful GOAWAY (NO_ERROR, last-stream-id 2^31-1) written between two of Undertow's frames (with a PING
 * so that it goes out at once); about a second later, as soon as no stream is in flight, Undertow's own
 * GOAWAY names the last stream it took and Undertow closes the connection. No stream Undertow accepted is
 * reset. A connection opened while deregistering is told at its first stream. A connection upgraded
 * from HTTP/1 with {@code Upgrade: h2c} is Undertow's alone: it is left open while deregistering and
 * closed when it has no stream in flight once draining begins, without GOAWAY.
 *
 * <p><b>WebSockets</b> (Undertow's {@code io.undertow.websockets}): an upgraded connection is reported to
 * Ebb, never closed by the keep-alive timeout or as idle, and the drain waits for it. For Ebb to tell it
 * "going away" (close 1001) when draining begins, serve it with {@link #websocket(WebSocketConnectionCallback)}
 * in place of {@code Handlers.websocket(callback)} (one line): Undertow exposes a WebSocket's channel only
 * to the handshake handler's callback. A WebSocket served by {@code Handlers.websocket} directly is kept
 * until it closes or the drain timeout, where it is aborted and counted.
 *
 * <p>Long responses (server-sent events, streaming) are requests in flight: end them in
 * {@link Ebb#onDraining(Runnable)}. AJP listeners are not supported by this class.
 *
 * <p>Thread-safety: the builder is not thread-safe; a started {@code EbbUndertow} is.
 */
public final class EbbUndertow {

    private final Undertow undertow;
    private final EbbCore core;
    private final List<InetSocketAddress> addresses;

    private EbbUndertow(Undertow undertow, EbbCore core, List<InetSocketAddress> addresses) {
        this.undertow = undertow;
        this.core = core;
        this.addresses = List.copyOf(addresses);
    }

    /** A builder for a server whose shutdown follows {@code config}. */
    public static Builder builder(EbbConfig config) {
        return new Builder(config);
    }

    /** The handle of this server's graceful shutdown. */
    public Ebb ebb() {
        return core;
    }

    /** The Undertow server underneath: its worker, and (Ebb disabled) its listeners. */
    public Undertow undertow() {
        return undertow;
    }

    /** The addresses the HTTP listeners are bound to, in the order they were added. */
    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    /** The port of the first listener. */
    public int port() {
        return addresses.get(0).getPort();
    }

    /**
     * Undertow's WebSocket handshake handler for {@code callback}, as {@code Handlers.websocket(callback)},
     * that also lets Ebb tell the WebSocket "going away" (close 1001) when draining begins. Use it in place
     * of {@code Handlers.websocket(callback)}; on a server without Ebb it is that handler.
     */
    public static HttpHandler websocket(WebSocketConnectionCallback callback) {
        return EbbHandler.websocket(callback);
    }

    private record Listener(InetSocketAddress address, SSLContext ssl) {
    }

    /** Collects an Undertow configuration the way {@link Undertow.Builder} does. Not thread-safe. */
    public static final class Builder {
        private final EbbConfig config;
        private final Undertow.Builder undertow = Undertow.builder();
        private final List<Listener> listeners = new ArrayList<>();
        private final OptionMap.Builder serverOptions = OptionMap.builder();
        private final OptionMap.Builder socketOptions = OptionMap.builder();
        private HttpHandler handler;

        private Builder(EbbConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Adds an HTTP listener on {@code host}:{@code port} ({@code 0}: an ephemeral port). */
        public Builder addHttpListener(int port, String host) {
            listeners.add(new Listener(new InetSocketAddress(host, port), null));
            return this;
        }

        /**
         * Adds an HTTPS listener on {@code host}:{@code port} ({@code 0}: an ephemeral port) with {@code ssl};
         * with {@link UndertowOptions#ENABLE_HTTP2} it offers {@code h2} and {@code http/1.1} by ALPN.
         */
        public Builder addHttpsListener(int port, String host, SSLContext ssl) {
            listeners.add(new Listener(new InetSocketAddress(host, port), Objects.requireNonNull(ssl, "ssl")));
            return this;
        }

        /** The application's root handler. */
        public Builder setHandler(HttpHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** As {@link Undertow.Builder#setServerOption}. */
        public <T> Builder setServerOption(Option<T> option, T value) {
            serverOptions.set(option, value);
            return this;
        }

        /** As {@link Undertow.Builder#setSocketOption}. */
        public <T> Builder setSocketOption(Option<T> option, T value) {
            socketOptions.set(option, value);
            undertow.setSocketOption(option, value);
            return this;
        }

        /** As {@link Undertow.Builder#setWorkerOption}. */
        public <T> Builder setWorkerOption(Option<T> option, T value) {
            undertow.setWorkerOption(option, value);
            return this;
        }

        /** As {@link Undertow.Builder#setIoThreads}. */
        public Builder setIoThreads(int ioThreads) {
            undertow.setIoThreads(ioThreads);
            return this;
        }

        /** As {@link Undertow.Builder#setWorkerThreads}. */
        public Builder setWorkerThreads(int workerThreads) {
            undertow.setWorkerThreads(workerThreads);
            return this;
        }

        /**
         * Starts the server: applies the keep-alive timeout, opens the listeners and logs Ebb's plan.
         *
         * @throws dev.ebb.EbbConfigException when the configuration is refused (nothing is left running)
         * @throws IOException when a listener cannot be bound (nothing is left running)
         */
        public EbbUndertow start() throws IOException {
            if (handler == null || listeners.isEmpty()) {
                throw new IllegalStateException("set a handler and add at least one HTTP listener");
            }
            UndertowAdapter adapter = new UndertowAdapter(serverOptions);
            EbbCore core = EbbCore.create(config, adapter);
            EbbHandler root = new EbbHandler(core, handler);
            boolean http2 = serverOptions.getMap().get(UndertowOptions.ENABLE_HTTP2, false);
            HttpHandler top = http2 ? new Http2UpgradeHandler(root) : root;
            if (!config.enabled()) {
                return startPlain(core, adapter, root);
            }
            core.applyKeepAlive();
            DefaultByteBufferPool pool = new DefaultByteBufferPool(true, 16 * 1024, -1, 4);
            OptionMap options = serverOptions.getMap();
            Undertow server = undertow.setByteBufferPool(pool).build();
            server.start();
            adapter.attach(server, root);
            List<InetSocketAddress> bound = new ArrayList<>();
            try {
                OptionMap socket = OptionMap.builder()
                        .set(Options.WORKER_IO_THREADS, server.getWorker().getIoThreadCount())
                        .set(Options.TCP_NODELAY, true)
                        .set(Options.REUSE_ADDRESSES, true)
                        .set(Options.BALANCING_TOKENS, 1)
                        .set(Options.BALANCING_CONNECTIONS, 2)
                        .set(Options.BACKLOG, 1000)
                        .addAll(socketOptions.getMap())
                        .getMap();
                OptionMap http = OptionMap.builder()
                        .set(UndertowOptions.NO_REQUEST_TIMEOUT, UndertowAdapter.UNDERTOW_DEFAULT_NO_REQUEST_TIMEOUT_MS)
                        .addAll(options).getMap();
                for (Listener listener : listeners) {
                    HttpOpenListener open = new HttpOpenListener(pool, http);
                    open.setRootHandler(top);
                    AcceptingChannel<? extends StreamConnection> channel;
                    if (listener.ssl() == null) {
                        ChannelListener<StreamConnection> first = open;
                        if (http2) {
                            first = root.priorKnowledge(open, root.http2Listener(pool, http), pool,
                                    Math.max(1000, http.get(UndertowOptions.NO_REQUEST_TIMEOUT, UndertowAdapter.UNDERTOW_DEFAULT_NO_REQUEST_TIMEOUT_MS)));
                        }
                        channel = server.getWorker().createStreamConnectionServer(listener.address(),
                                ChannelListeners.openListenerAdapter(root.tracking(first)), socket);
                    } else {
                        // As Undertow.start() builds an HTTPS listener: ALPN offers h2 (when enabled) and http/1.1.
                        ChannelListener<StreamConnection> tls = open;
                        if (http2) {
                            AlpnOpenListener alpn = new AlpnOpenListener(pool, http, open);
                            alpn.addProtocol(Http2OpenListener.HTTP2, root.http2Listener(pool, http), 10);
                            alpn.setRootHandler(root);
                            tls = alpn;
                        }
                        UndertowXnioSsl xnioSsl = new UndertowXnioSsl(server.getWorker().getXnio(),
                                OptionMap.create(Options.USE_DIRECT_BUFFERS, true), listener.ssl());
                        OptionMap sslSocket = OptionMap.builder().addAll(socket)
                                .set(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.NOT_REQUESTED).getMap();
                        channel = xnioSsl.createSslConnectionServer(server.getWorker(), listener.address(),
                                ChannelListeners.openListenerAdapter(root.tracking(tls)), sslSocket);
                    }
                    adapter.listening(channel);
                    channel.resumeAccepts();
                    bound.add(channel.getLocalAddress(InetSocketAddress.class));
                }
            } catch (IOException | RuntimeException e) {
                adapter.stop();
                throw e;
            }
            core.started();
            return new EbbUndertow(server, core, bound);
        }

        private EbbUndertow startPlain(EbbCore core, UndertowAdapter adapter, EbbHandler root) {
            undertow.setHandler(root);
            serverOptions.getMap().forEach(o -> copy(o, serverOptions.getMap()));
            for (Listener listener : listeners) {
                InetSocketAddress address = listener.address();
                if (listener.ssl() == null) {
                    undertow.addHttpListener(address.getPort(), address.getHostString());
                } else {
                    undertow.addHttpsListener(address.getPort(), address.getHostString(), listener.ssl());
                }
            }
            Undertow server = undertow.build();
            server.start();
            adapter.attach(server, root);
            core.started();
            List<InetSocketAddress> bound = new ArrayList<>();
            server.getListenerInfo().forEach(l -> bound.add((InetSocketAddress) l.getAddress()));
            return new EbbUndertow(server, core, bound);
        }

        private <T> void copy(Option<T> option, OptionMap from) {
            undertow.setServerOption(option, from.get(option));
        }
    }
}
