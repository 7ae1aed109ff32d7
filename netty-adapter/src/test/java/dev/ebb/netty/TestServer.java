package dev.ebb.netty;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import dev.ebb.contract.TestTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * A real Netty server on 127.0.0.1:0 with Ebb, built the way an application would build it. On one port:
 * HTTP/1.1 and HTTP/2, by ALPN over TLS or by the client's first bytes (h2c with prior knowledge) over
 * cleartext. It serves what {@link AdapterContract} asks for: {@code /work?ms=N}, {@code POST /echo},
 * {@code /throw}, {@code /events?ms=N} (server-sent events the application ends when DRAINING begins) and
 * {@code /ws[?push=N]} (Netty's {@code WebSocketServerProtocolHandler}, echo and optional ticks).
 */
final class TestServer implements AdapterContract.RunningServer {

    private final EventLoopGroup boss = EventLoops.nio(1);
    private final EventLoopGroup workers = EventLoops.nio(2);
    private final EbbNetty ebbNetty;
    private final SslContext ssl;
    private final Set<Events> events = ConcurrentHashMap.newKeySet();
    private final List<Integer> ports = new ArrayList<>();
    private final List<Channel> servers = new ArrayList<>();
    private final Ebb ebb;

    private TestServer(EbbNetty ebbNetty, boolean tls, int listeners) throws Exception {
        this.ebbNetty = ebbNetty;
        this.ssl = tls ? sslContext() : null;
        // The application ends its long responses when Ebb says DRAINING has begun.
        ebbNetty.ebb().onDraining(() -> events.forEach(Events::end));
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new Alpn());
                        } else {
                            ch.pipeline().addLast(new PriorKnowledge());
                        }
                    }
                });
        for (int i = 0; i < listeners; i++) {
            Channel server = b.bind("127.0.0.1", 0).sync().channel();
            servers.add(server);
            ports.add(((InetSocketAddress) server.localAddress()).getPort());
        }
        this.ebb = listeners == 1 ? ebbNetty.serve(servers.get(0), boss, workers)
                : ebbNetty.serve(servers, List.of(boss, workers));
    }

    static TestServer start(EbbConfig config) throws Exception {
        return new TestServer(EbbNetty.create(config), false, 1);
    }

    static TestServer start(EbbConfig config, Duration keepAlive) throws Exception {
        return new TestServer(EbbNetty.create(config, keepAlive), false, 1);
    }

    static TestServer tls(EbbConfig config) throws Exception {
        return new TestServer(EbbNetty.create(config), true, 1);
    }

    static TestServer listeningOn(int listeners, EbbConfig config) throws Exception {
        return new TestServer(EbbNetty.create(config), false, listeners);
    }

    @Override
    public int port() {
        return ports.get(0);
    }

    List<Integer> ports() {
        return ports;
    }

    /** The first server channel, as {@code ServerBootstrap.bind} returned it. */
    Channel serverChannel() {
        return servers.get(0);
    }

    @Override
    public boolean tls() {
        return ssl != null;
    }

    @Override
    public Ebb ebb() {
        return ebb;
    }

    @Override
    public void close() {
        for (EventLoopGroup g : List.of(boss, workers)) {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    private static SslContext sslContext() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(TestTls.load(), TestTls.PASSWORD.toCharArray());
        return SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    // ---- the two pipelines, with Ebb right after each codec ----

    private void http1(ChannelPipeline p) {
        p.addLast(new HttpServerCodec());
        ebbNetty.addTo(p).addLast(new HttpObjectAggregator(1 << 16),
                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                        .websocketPath("/ws").checkStartsWith(true).build()),
                new App(), new Errors());
    }

    private void http2(ChannelPipeline p) {
        p.addLast(Http2FrameCodecBuilder.forServer().build());
        ebbNetty.addTo(p).addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
                ebbNetty.addTo(stream.pipeline()).addLast(new HttpObjectAggregator(1 << 16), new App(), new Errors());
            }
        }));
    }

    /** TLS: HTTP/2 or HTTP/1.1 as ALPN chose. */
    private final class Alpn extends ApplicationProtocolNegotiationHandler {
        Alpn() {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                http2(ctx.pipeline());
            } else {
                http1(ctx.pipeline());
            }
        }
    }

    /** Cleartext: HTTP/2 when the client starts with the connection preface (prior knowledge), else HTTP/1.1. */
    private final class PriorKnowledge extends ByteToMessageDecoder {
        private final ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), preface.readableBytes());
            if (!ByteBufUtil.equals(in, in.readerIndex(), preface, 0, n)) {
                http1(ctx.pipeline());
                ctx.pipeline().remove(this);
            } else if (n == preface.readableBytes()) {
                http2(ctx.pipeline());
                ctx.pipeline().remove(this);
            }
        }

        @Override
        protected void handlerRemoved0(ChannelHandlerContext ctx) {
            preface.release();
        }
    }

    // ---- the application ----

    /**
     * The application's requests and WebSocket messages. Answers pipelined HTTP/1.1 requests one after the
     * other, in order, as HTTP/1.1 requires.
     */
    private final class App extends SimpleChannelInboundHandler<Object> {
        private final ArrayDeque<FullHttpRequest> queue = new ArrayDeque<>();
        private boolean busy;
        private ScheduledFuture<?> ticks;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TextWebSocketFrame text) {
                ctx.writeAndFlush(new TextWebSocketFrame(text.text()));
            } else if (msg instanceof FullHttpRequest request) {
                queue.add(request.retain());
                if (!busy) {
                    next(ctx);
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete done) {
                long push = millis(new QueryStringDecoder(done.requestUri()), "push");
                if (push > 0) {
                    ticks = ctx.executor().scheduleAtFixedRate(
                            () -> ctx.channel().writeAndFlush(new TextWebSocketFrame("tick")), push, push,
                            TimeUnit.MILLISECONDS);
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void next(ChannelHandlerContext ctx) {
            FullHttpRequest request = queue.poll();
            busy = request != null;
            if (request == null) {
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            String body = request.content().toString(StandardCharsets.UTF_8);
            request.release();
            long ms = millis(uri, "ms");
            switch (uri.path()) {
                case "/work" -> {
                    if (ms <= 0) {
                        respond(ctx, HttpResponseStatus.OK, "worked 0 ms\n", keepAlive);
                    } else {
                        ctx.executor().schedule(() -> respond(ctx, HttpResponseStatus.OK, "worked " + ms + " ms\n",
                                keepAlive), ms, TimeUnit.MILLISECONDS);
                    }
                }
                case "/echo" -> respond(ctx, HttpResponseStatus.OK, body, keepAlive);
                case "/throw" -> throw new IllegalStateException("the application failed on /throw");
                case "/events" -> events.add(new Events(ctx, Math.max(ms, 10), () -> next(ctx)));
                default -> respond(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", keepAlive);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body, boolean keepAlive) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            if (!keepAlive) {
                HttpUtil.setKeepAlive(response, false);
            }
            ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
                if (!keepAlive) {
                    f.channel().close();
                } else {
                    next(ctx);
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ticks != null) {
                ticks.cancel(false);
            }
            FullHttpRequest r;
            while ((r = queue.poll()) != null) {
                r.release();
            }
            ctx.fireChannelInactive();
        }
    }

    private static long millis(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? 0 : Long.parseLong(values.get(0));
    }

    /** One {@code text/event-stream} response: an event every period until the application ends it. */
    private final class Events {
        private final ChannelHandlerContext ctx;
        private final ScheduledFuture<?> ticks;
        private final Runnable then;
        private boolean ended;

        Events(ChannelHandlerContext ctx, long periodMs, Runnable then) {
            this.ctx = ctx;
            this.then = then;
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
            HttpUtil.setTransferEncodingChunked(head, true);
            ctx.write(head);
            tick();
            this.ticks = ctx.executor().scheduleAtFixedRate(this::tick, periodMs, periodMs, TimeUnit.MILLISECONDS);
            ctx.channel().closeFuture().addListener(f -> {
                ticks.cancel(false);
                events.remove(this);
            });
        }

        private void tick() {
            if (!ended) {
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("data: tick\n\n", StandardCharsets.UTF_8)));
            }
        }

        /** Ends the stream normally; from any thread. */
        void end() {
            ctx.executor().execute(() -> {
                if (ended) {
                    return;
                }
                ended = true;
                ticks.cancel(false);
                events.remove(this);
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> then.run());
            });
        }
    }

    /**
     * What a bare Netty application puts last: a handler that failed answers 500 and the connection
     * closes; a broken connection just closes.
     */
    private static final class Errors extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof IOException || !ctx.channel().isActive()) {
                ctx.close();
                return;
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.INTERNAL_SERVER_ERROR, Unpooled.copiedBuffer("failed\n", StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            HttpUtil.setKeepAlive(response, false);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
