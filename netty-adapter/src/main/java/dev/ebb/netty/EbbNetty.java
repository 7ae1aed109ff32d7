package dev.ebb.netty;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.EbbConfigException;
import dev.ebb.spi.EbbCore;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Ebb for a Netty 4.2 or 4.1 HTTP server (only API common to both, with event loops of either kind): add
 * it to each connection's pipeline, right after the HTTP codec, then hand it the bound server channel.
 *
 * <pre>{@code
 * EbbNetty ebb = EbbNetty.create(EbbConfig.fromSystem());
 * ServerBootstrap b = new ServerBootstrap().group(boss, workers)
 *         .channel(NioServerSocketChannel.class)
 *         .childHandler(new ChannelInitializer<SocketChannel>() {
 *             protected void initChannel(SocketChannel ch) {
 *                 ch.pipeline().addLast(new HttpServerCodec());
 *                 ebb.addTo(ch.pipeline()).addLast(new HttpObjectAggregator(65536), new MyHandler());
 *             }
 *         });
 * Ebb handle = ebb.serve(b.bind(8080).sync().channel(), boss, workers);
 * handle.stopped().join(); // not channel.closeFuture().sync(): see below
 * }</pre>
 *
 * <p><b>TLS and HTTP/2.</b> Call {@link #addTo} wherever the pipeline gets its codec, e.g. once ALPN has
 * chosen the protocol ({@code SslContextBuilder.forServer(keyManagerFactory)} with an
 * {@code ApplicationProtocolConfig} for {@code h2} and {@code http/1.1}):
 *
 * <pre>{@code
 * protected void initChannel(SocketChannel ch) {
 *     ch.pipeline().addLast(sslContext.newHandler(ch.alloc()),
 *             new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
 *                 protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
 *                     ChannelPipeline p = ctx.pipeline();
 *                     if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
 *                         p.addLast(Http2FrameCodecBuilder.forServer().build());
 *                         ebb.addTo(p).addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
 *                             protected void initChannel(Http2StreamChannel stream) {
 *                                 stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
 *                                 ebb.addTo(stream.pipeline()).addLast(new HttpObjectAggregator(65536), new MyHandler());
 *                             }
 *                         }));
 *                     } else {
 *                         p.addLast(new HttpServerCodec());
 *                         ebb.addTo(p).addLast(new HttpObjectAggregator(65536), new MyHandler());
 *                     }
 *                 }
 *             });
 * }
 * }</pre>
 *
 * Over cleartext the same two branches serve h2c with prior knowledge on the HTTP/1.1 port when a first
 * handler picks one by the client's first bytes (the HTTP/2 connection preface,
 * {@code Http2CodecUtil.connectionPrefaceBuf()}) and removes itself. Ebb tracks a connection from its
 * {@code addTo}.
 *
 * <p>Ebb answers the probe paths, counts requests, takes over HTTP/1.1 keep-alive (it closes a
 * connection after a response that says {@code Connection: close}, which raw Netty does not), adds
 * {@code Connection: close} while shutting down, and closes a connection after the keep-alive idle
 * timeout when no request is in progress. Netty has no keep-alive timeout of its own: Ebb sets one
 * above the load balancer's when {@code ebb.load-balancer} is configured, or applies the one given to
 * {@link #create(EbbConfig, Duration)}. On HTTP/2 it sends a graceful GOAWAY when DEREGISTERING begins and
 * the final one a round trip later, and closes the connection after its last stream.
 *
 * <p><b>WebSockets.</b> A connection that answered {@code 101 Switching Protocols} (e.g. through
 * {@code WebSocketServerProtocolHandler}, after Ebb in the pipeline) is upgraded: the 101 goes out
 * untouched, the keep-alive timeout no longer applies, and when DRAINING begins Ebb writes a
 * {@code CloseWebSocketFrame} 1001 (going away) from the channel's tail; the client answers, Netty's
 * protocol handler closes the channel, and the drain waits for that within the drain timeout.
 * Applications end their long responses (server-sent events, streams) from {@link Ebb#onDraining}.
 *
 * <p><b>Stopping.</b> When DRAINING begins Ebb closes the server channels, then idle connections, waits
 * for requests and WebSockets in flight, aborts what is left at the drain timeout and shuts the event
 * loop groups down. A server channel's {@code closeFuture()} therefore completes while requests are still
 * draining: a main thread that waits on it and then calls {@code shutdownGracefully()} would cut them.
 * Wait on {@link Ebb#stopped()} instead.
 *
 * <p>Thread-safe. {@link #addTo(ChannelPipeline)} is called once per channel and allocates its
 * handlers there; per request Ebb allocates nothing.
 */
public final class EbbNetty {

    private static final String NAME = "ebb";

    private final EbbCore core;
    private final NettyAdapter adapter;
    private final Probes probes;
    private final Http2ProbeHandler streamProbes;
    private volatile boolean serving;

    private EbbNetty(EbbConfig config, Duration keepAliveTimeout) {
        this.adapter = new NettyAdapter(keepAliveTimeout, NAME);
        this.core = EbbCore.create(config, adapter);
        this.probes = new Probes(core);
        this.streamProbes = new Http2ProbeHandler(probes);
        core.applyKeepAlive();
    }

    /**
     * Ebb with {@code config}; the keep-alive idle timeout is Ebb's choice from the load balancer, or
     * none (idle connections stay open) when no load balancer is configured.
     *
     * @throws EbbConfigException when the configuration and the server's keep-alive disagree
     */
    public static EbbNetty create(EbbConfig config) {
        return new EbbNetty(Objects.requireNonNull(config, "config"), null);
    }

    /**
     * Ebb with {@code config} and the application's own keep-alive idle timeout, which Ebb checks against
     * the load balancer's ({@code ebb.idle-timeout-policy}) instead of choosing one.
     *
     * @throws EbbConfigException when {@code keepAliveTimeout} is not above the load balancer's idle
     *         timeout (unless the policy is {@code warn})
     */
    public static EbbNetty create(EbbConfig config, Duration keepAliveTimeout) {
        Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
        if (keepAliveTimeout.isNegative() || keepAliveTimeout.isZero()) {
            throw new IllegalArgumentException("keepAliveTimeout must be positive: " + keepAliveTimeout);
        }
        return new EbbNetty(Objects.requireNonNull(config, "config"), keepAliveTimeout);
    }

    /**
     * Adds Ebb's handler to a channel's pipeline, right after the codec already in it, and returns the
     * pipeline. Call it from the {@code ChannelInitializer}, after adding the codec and before any
     * {@code HttpObjectAggregator}:
     * <ul>
     *   <li>an HTTP/1.x connection: after {@code HttpServerCodec};</li>
     *   <li>an HTTP/2 connection: after {@code Http2FrameCodec} (before or after adding
     *       {@code Http2MultiplexHandler});</li>
     *   <li>an HTTP/2 stream (in the multiplex handler's initializer): after
     *       {@code Http2StreamFrameToHttpObjectCodec}, to answer the probe paths there.</li>
     * </ul>
     *
     * @throws IllegalArgumentException when the pipeline holds none of these codecs
     */
    public ChannelPipeline addTo(ChannelPipeline pipeline) {
        ChannelHandlerContext codec = pipeline.context(HttpServerCodec.class);
        if (codec != null) {
            pipeline.addAfter(codec.name(), NAME, new Http1Handler(core, probes, adapter.keepAliveNanos()));
            adapter.track(pipeline.channel());
            core.connectionAccepted();
            return pipeline;
        }
        switch (Http2Tracker.addTo(pipeline, NAME, core, streamProbes)) {
            case CONNECTION:
                adapter.track(pipeline.channel());
                core.connectionAccepted();
                return pipeline;
            case STREAM:
                return pipeline;
            default:
                break;
        }
        throw new IllegalArgumentException("ebb: the pipeline of " + pipeline.channel() + " has no HttpServerCodec,"
                + " Http2FrameCodec or Http2StreamFrameToHttpObjectCodec; add the codec first, then call addTo");
    }

    /**
     * The server is bound: Ebb takes over its shutdown and returns the handle. {@code serverChannel} is
     * the channel from {@code ServerBootstrap.bind(..)}; {@code groups} are the event loop groups Ebb
     * shuts down when it stops the server (usually the boss and worker groups). Logs Ebb's plan and, when
     * configured, takes SIGTERM. Call once.
     */
    public Ebb serve(Channel serverChannel, EventLoopGroup... groups) {
        return serve(List.of(Objects.requireNonNull(serverChannel, "serverChannel")), List.of(groups));
    }

    /**
     * {@link #serve(Channel, EventLoopGroup...)} for a server bound more than once (several ports or
     * addresses, or {@code SO_REUSEPORT} binds): Ebb closes every one of {@code serverChannels} when
     * DRAINING begins.
     */
    public Ebb serve(Collection<? extends Channel> serverChannels, Collection<? extends EventLoopGroup> groups) {
        List<Channel> servers = List.copyOf(serverChannels);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("ebb: no server channel to serve");
        }
        List<EventLoopGroup> loops = List.copyOf(groups);
        synchronized (this) {
            if (serving) {
                throw new IllegalStateException("ebb: serve was already called");
            }
            serving = true;
        }
        adapter.serve(servers, loops);
        core.started();
        return core;
    }

    /** The handle, also before {@link #serve}; the same instance {@code serve} returns. */
    public Ebb ebb() {
        return core;
    }
}
