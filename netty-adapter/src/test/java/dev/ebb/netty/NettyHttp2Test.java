package dev.ebb.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ebb.Ebb;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HTTP/2 (h2c, prior knowledge) with Netty's own HTTP/2 client: the two-step GOAWAY. */
class NettyHttp2Test {

    private static final Duration WAIT = StartedServers.WAIT;

    @RegisterExtension
    final StartedServers servers = new StartedServers();

    private final EventLoopGroup clientGroup = EventLoops.nio(1);
    private TestServer server;

    @AfterEach
    void stopClients() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    @Test
    void bothGoAwaysComeWhileDeregisteringAndEachConnectionClosesAfterItsLastStream() throws Exception {
        server = servers.track(TestServer.start(StartedServers.config().build()));
        Ebb ebb = server.ebb();
        Client busy = connect();
        Client idle = connect();

        FullResponse probe = idle.get("/ready").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(probe.status()).isEqualTo(200);
        assertThat(idle.get("/work?ms=1").get(WAIT.toSeconds(), TimeUnit.SECONDS).body()).isEqualTo("worked 1 ms\n");
        await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 0);

        CompletableFuture<FullResponse> slow = busy.get("/work?ms=1500");
        await().atMost(WAIT).until(() -> ebb.inFlightRequests() == 1);
        int slowStream = busy.lastStreamId;

        CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
        // The final GOAWAY follows the first after one round trip (a PING), still while deregistering.
        await().atMost(WAIT).until(() -> busy.goAways.size() == 2 && idle.goAways.size() == 2);
        assertThat(busy.goAways).as("graceful, then the last stream really taken").containsExactly(Integer.MAX_VALUE,
                slowStream);
        assertThat(idle.connection.closeFuture().await(WAIT.toMillis())).as("idle connection closed").isTrue();
        assertThat(ebb.phase()).isEqualTo(Phase.DEREGISTERING);
        assertThat(slow).isNotDone();
        assertThat(busy.connection.isActive()).as("open while its stream runs").isTrue();

        FullResponse r = slow.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("worked 1500 ms\n");
        assertThat(busy.connection.closeFuture().await(WAIT.toMillis())).as("closed after its last stream").isTrue();
        assertThat(ebb.phase()).isEqualTo(Phase.DEREGISTERING);

        ebb.expedite();
        ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.requestsAborted()).isZero();
        assertThat(report.clean()).isTrue();
    }

    @Test
    void connectionAcceptedWhileDeregisteringIsServedThenToldToGoAway() throws Exception {
        server = servers.track(TestServer.start(StartedServers.config().build()));
        Ebb ebb = server.ebb();
        CompletableFuture<ShutdownReport> stopped = ebb.shutdown();

        Client late = connect();
        FullResponse r = late.get("/work?ms=200").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.status()).as("its first stream is served, as an HTTP/1.1 request would be").isEqualTo(200);
        await().atMost(WAIT).until(() -> late.goAways.size() == 2);
        assertThat(late.goAways).containsExactly(Integer.MAX_VALUE, late.lastStreamId);
        assertThat(late.connection.closeFuture().await(WAIT.toMillis())).as("closed after its last stream").isTrue();
        assertThat(ebb.phase()).isEqualTo(Phase.DEREGISTERING);

        ebb.expedite();
        assertThat(stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS).clean()).isTrue();
    }

    private Client connect() throws InterruptedException {
        Client c = new Client();
        c.connection = new Bootstrap().group(clientGroup).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2GoAwayFrame g) {
                                            c.goAways.add(g.lastStreamId());
                                        }
                                        ReferenceCountUtil.release(msg);
                                    }
                                });
                    }
                }).connect("127.0.0.1", server.port()).sync().channel();
        return c;
    }

    private record FullResponse(int status, String body) {
    }

    /** One HTTP/2 connection; each {@link #get} opens a stream. */
    private final class Client {
        Channel connection;
        final List<Integer> goAways = new CopyOnWriteArrayList<>();
        volatile int lastStreamId;

        CompletableFuture<FullResponse> get(String path) throws InterruptedException {
            CompletableFuture<FullResponse> result = new CompletableFuture<>();
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                    .handler(new ChannelInitializer<Http2StreamChannel>() {
                        @Override
                        protected void initChannel(Http2StreamChannel ch) {
                            ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                                    new HttpObjectAggregator(1 << 16),
                                    new SimpleChannelInboundHandler<FullHttpResponse>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
                                            result.complete(new FullResponse(msg.status().code(),
                                                    msg.content().toString(StandardCharsets.UTF_8)));
                                        }

                                        @Override
                                        public void channelInactive(ChannelHandlerContext ctx) {
                                            result.completeExceptionally(new IllegalStateException("stream closed"));
                                        }
                                    });
                        }
                    }).open().sync().getNow();
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + server.port());
            stream.writeAndFlush(request).sync();
            lastStreamId = stream.stream().id();
            return result;
        }
    }
}
