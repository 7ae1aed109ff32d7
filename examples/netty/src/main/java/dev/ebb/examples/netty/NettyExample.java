package dev.ebb.examples.netty;

import dev.ebb.EbbConfig;
import dev.ebb.EbbConfigException;
import dev.ebb.netty.EbbNetty;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty HTTP server with Ebb: {@code GET|POST /work?ms=N} answers after N ms from a task
 * scheduled on the event loop; {@code GET /events} streams a server-sent event every second until Ebb
 * begins draining; {@code GET /ws} is a WebSocket ({@link WebSocketServerProtocolHandler}) that echoes
 * and ticks every second; Ebb serves {@code /ready} and {@code /live}. The port speaks HTTP/1.1 and h2c
 * with prior knowledge (told apart by the first bytes a client sends). With {@code -Debb.enabled=false}
 * it stops on SIGTERM the usual Netty way, from a shutdown hook.
 */
public final class NettyExample {

    private NettyExample() {
    }

    public static void main(String[] args) throws Exception {
        int port = 8080;
        for (String arg : args) {
            if (arg.startsWith("--port=")) {
                port = Integer.parseInt(arg.substring("--port=".length()));
            }
        }
        EbbConfig config;
        EbbNetty ebb;
        try {
            config = EbbConfig.fromSystem();
            ebb = EbbNetty.create(config);
        } catch (EbbConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }

        Set<EventStream> events = ConcurrentHashMap.newKeySet();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Detect(ebb, events));
                    }
                });
        Channel server = bootstrap.bind(port).sync().channel();
        // Ends the event streams so that their clients reconnect elsewhere; never runs with -Debb.enabled=false.
        ebb.serve(server, boss, workers).onDraining(() -> events.forEach(EventStream::end));

        if (!config.enabled()) {
            // Without Ebb: the usual plain-Netty stop on SIGTERM.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                boss.shutdownGracefully();
                workers.shutdownGracefully().syncUninterruptibly();
            }, "netty-shutdown"));
        }
        System.out.println("Netty example listening on port " + port);
        // The event loop threads keep the JVM running; with Ebb, SIGTERM drains and then exits.
    }

    /**
     * Tells h2c with prior knowledge (the client starts with the HTTP/2 connection preface) from HTTP/1.1
     * by the first bytes, builds that protocol's pipeline and steps aside.
     */
    private static final class Detect extends ByteToMessageDecoder {
        private static final ByteBuf PREFACE = Unpooled.unreleasableBuffer(Http2CodecUtil.connectionPrefaceBuf());

        private final EbbNetty ebb;
        private final Set<EventStream> events;

        Detect(EbbNetty ebb, Set<EventStream> events) {
            this.ebb = ebb;
            this.events = events;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
            boolean http2 = ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), n);
            if (http2 && n < PREFACE.readableBytes()) {
                return; // not enough bytes yet to tell
            }
            ChannelPipeline p = ctx.pipeline();
            String name = ctx.name();
            if (http2) {
                p.addAfter(name, "h2", Http2FrameCodecBuilder.forServer().build());
                p.addAfter("h2", "h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
                        ebb.addTo(stream.pipeline()).addLast(new HttpObjectAggregator(1 << 20), new App(events));
                    }
                }));
                ebb.addTo(p);
            } else {
                p.addAfter(name, "http", new HttpServerCodec());
                ebb.addTo(p);
                p.addLast(new HttpObjectAggregator(1 << 20), new WebSocketServerProtocolHandler("/ws"),
                        new Ticking(), new App(events));
            }
            p.remove(this); // hands what it has read to the new pipeline
        }
    }

    /** {@code /work?ms=N} and {@code /events}; responses are written from the event loop. */
    private static final class App extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Set<EventStream> events;

        App(Set<EventStream> events) {
            this.events = events;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            switch (uri.path()) {
                case "/work" -> {
                    long ms = Long.parseLong(uri.parameters().getOrDefault("ms", List.of("0")).get(0));
                    String body = "worked " + ms + " ms (" + request.content().readableBytes() + " bytes read)\n";
                    ctx.executor().schedule(() -> respond(ctx, HttpResponseStatus.OK, body, keepAlive),
                            ms, TimeUnit.MILLISECONDS);
                }
                case "/events" -> new EventStream(ctx, events).start();
                default -> respond(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", keepAlive);
            }
        }

        private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body, boolean keepAlive) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** One {@code text/event-stream} response: {@code data: tick N} every second until {@link #end()}. */
    private static final class EventStream {
        private final ChannelHandlerContext ctx;
        private final Set<EventStream> open;
        private ScheduledFuture<?> ticks;
        private long count;

        EventStream(ChannelHandlerContext ctx, Set<EventStream> open) {
            this.ctx = ctx;
            this.open = open;
        }

        /** On the event loop. */
        void start() {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            HttpUtil.setTransferEncodingChunked(response, true);
            ctx.writeAndFlush(response);
            open.add(this);
            ctx.channel().closeFuture().addListener(f -> open.remove(this));
            ticks = ctx.executor().scheduleAtFixedRate(() -> {
                String event = "data: tick " + ++count + "\n\n";
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)));
            }, 1, 1, TimeUnit.SECONDS);
        }

        /** Ends the response normally; from any thread. */
        void end() {
            ctx.executor().execute(() -> {
                if (open.remove(this)) {
                    ticks.cancel(false);
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                }
            });
        }
    }

    /** {@code /ws} once upgraded: echoes every text message and sends {@code tick N} every second. */
    private static final class Ticking extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private ScheduledFuture<?> ticks;
        private long count;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                ticks = ctx.executor().scheduleAtFixedRate(
                        () -> ctx.writeAndFlush(new TextWebSocketFrame("tick " + ++count)), 1, 1, TimeUnit.SECONDS);
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ctx.writeAndFlush(new TextWebSocketFrame(frame.text()));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (ticks != null) {
                ticks.cancel(false);
            }
            super.channelInactive(ctx);
        }
    }
}
