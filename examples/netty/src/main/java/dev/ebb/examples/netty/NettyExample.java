package dev.ebb.examples.netty;

import dev.ebb.EbbConfig;
import dev.ebb.EbbConfigException;
import dev.ebb.netty.EbbNetty;
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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty HTTP server with Ebb: {@code GET|POST /work?ms=N} answers after N ms from a task
 * scheduled on the event loop; Ebb serves {@code /ready} and {@code /live}. With
 * {@code -Debb.enabled=false} it stops on SIGTERM the usual Netty way, from a shutdown hook.
 */
public final class NettyExample {

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

        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec());
                        ebb.addTo(ch.pipeline()).addLast(new HttpObjectAggregator(1 << 20), new Work());
                    }
                });
        Channel server = bootstrap.bind(port).sync().channel();
        ebb.serve(server, boss, workers);

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

    /** {@code /work?ms=N}: the response is written by a task scheduled on the event loop. */
    private static final class Work extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            if (!uri.path().equals("/work")) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", keepAlive);
                return;
            }
            long ms = Long.parseLong(uri.parameters().getOrDefault("ms", List.of("0")).get(0));
            String body = "worked " + ms + " ms (" + request.content().readableBytes() + " bytes read)\n";
            ctx.executor().schedule(() -> respond(ctx, HttpResponseStatus.OK, body, keepAlive), ms, TimeUnit.MILLISECONDS);
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
}
