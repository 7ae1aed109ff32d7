package dev.ebb.netty;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real Netty server on 127.0.0.1:0 with Ebb and {@code /work?ms=N}, over HTTP/1.1 or h2c. */
final class TestServer implements AdapterContract.RunningServer {

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Ebb ebb;
    private final int port;

    private TestServer(EbbNetty ebbNetty, boolean http2) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (http2) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                    new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                        @Override
                                        protected void initChannel(Http2StreamChannel stream) {
                                            stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
                                            ebbNetty.addTo(stream.pipeline())
                                                    .addLast(new HttpObjectAggregator(1 << 16), new Work());
                                        }
                                    }));
                            ebbNetty.addTo(ch.pipeline());
                        } else {
                            ch.pipeline().addLast(new HttpServerCodec());
                            ebbNetty.addTo(ch.pipeline()).addLast(new HttpObjectAggregator(1 << 16), new Work());
                        }
                    }
                });
        Channel server = b.bind("127.0.0.1", 0).sync().channel();
        this.port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
        this.ebb = ebbNetty.serve(server, boss, workers);
    }

    static TestServer http1(EbbConfig config) throws InterruptedException {
        return new TestServer(EbbNetty.create(config), false);
    }

    static TestServer http1(EbbConfig config, Duration keepAlive) throws InterruptedException {
        return new TestServer(EbbNetty.create(config, keepAlive), false);
    }

    static TestServer http2(EbbConfig config) throws InterruptedException {
        return new TestServer(EbbNetty.create(config), true);
    }

    @Override
    public int port() {
        return port;
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

    /**
     * {@code /work?ms=N}: answers after N ms from a task scheduled on the event loop. Answers pipelined
     * requests one after the other, in order, as HTTP/1.1 requires.
     */
    static final class Work extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ArrayDeque<FullHttpRequest> queue = new ArrayDeque<>();
        private boolean busy;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            queue.add(request.retain());
            if (!busy) {
                next(ctx);
            }
        }

        private void next(ChannelHandlerContext ctx) {
            FullHttpRequest request = queue.poll();
            busy = request != null;
            if (request == null) {
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            request.release();
            if (!uri.path().equals("/work")) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", keepAlive);
                return;
            }
            List<String> ms = uri.parameters().getOrDefault("ms", List.of("0"));
            long delay = Long.parseLong(ms.get(0));
            if (delay <= 0) {
                respond(ctx, HttpResponseStatus.OK, "worked 0 ms\n", keepAlive);
            } else {
                ctx.executor().schedule(() -> respond(ctx, HttpResponseStatus.OK, "worked " + delay + " ms\n", keepAlive),
                        delay, TimeUnit.MILLISECONDS);
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
            FullHttpRequest r;
            while ((r = queue.poll()) != null) {
                r.release();
            }
            ctx.fireChannelInactive();
        }
    }
}
