package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.channel.ChannelOperations;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * Ebb's hands on Reactor Netty's channels, which Spring Boot does not expose: the listening channel (from
 * {@code doOnBound}) and every accepted connection (from {@code doOnChannelInit}), so that DRAINING closes
 * the listener and the idle connections, tells each WebSocket 1001 (going away) through Reactor Netty's
 * own WebSocket operations, and the drain timeout aborts what is left. HTTP/2 connections get the
 * two-step GOAWAY of {@link ReactorNettyHttp2}. A connection is idle when Reactor Netty has no
 * operations bound to it (no request in progress, not upgraded). Thread-safe.
 */
final class ReactorNettyDriver implements BootServerAdapter.Connections {

    private static final Logger log = LoggerFactory.getLogger(ReactorNettyDriver.class);
    /** Longest wait for the event loops to carry out one step; they answer in microseconds unless wedged. */
    private static final long STEP_SECONDS = 5;

    private final EbbCore core;
    private final BootServerAdapter adapter;
    private final ChannelGroup listeners = new DefaultChannelGroup("ebb-listeners", GlobalEventExecutor.INSTANCE);
    private final ChannelGroup connections = new DefaultChannelGroup("ebb-connections", GlobalEventExecutor.INSTANCE);
    private final ChannelGroup upgraded = new DefaultChannelGroup("ebb-upgraded", GlobalEventExecutor.INSTANCE);

    ReactorNettyDriver(EbbCore core, BootServerAdapter adapter) {
        this.core = core;
        this.adapter = adapter;
    }

    /**
     * Gives Reactor Netty, which keeps idle connections forever by default, an idle timeout above the load
     * balancer's, unless the application set {@code server.netty.idle-timeout} itself (then Ebb's
     * idle-timeout policy checks it); empty to leave it as it is. Reactor Netty applies it only between
     * requests. Tells the adapter which server it is.
     */
    static Optional<Duration> keepAlive(EbbCore core, BootServerAdapter adapter, Environment environment) {
        Optional<Duration> explicit = BootServerAdapter.property(environment, "server.netty.idle-timeout");
        adapter.use("Reactor Netty", explicit.map(KeepAlive::explicit).orElseGet(KeepAlive::none));
        return core.applyKeepAlive();
    }

    /** Ebb drives the server Spring Boot is about to start. */
    void use() {
        adapter.use(this);
    }

    /** {@code server} with Ebb's hands on its listener and connections. */
    HttpServer track(HttpServer server) {
        return server
                .doOnBound(bound -> listeners.add(bound.channel()))
                .doOnChannelInit((observer, channel, remote) -> {
                    if (channel.parent() instanceof ServerChannel) {
                        core.connectionAccepted();
                        connections.add(channel);
                        if (core.closing()) {
                            channel.eventLoop().execute(() -> ReactorNettyHttp2.startGoAway(channel));
                        }
                    }
                });
    }

    @Override
    public void startDeregistering() {
        for (Channel channel : connections) {
            on(channel, () -> {
                ReactorNettyHttp2.startGoAway(channel);
                return true;
            });
        }
    }

    @Override
    public void closeListeners() {
        await(List.of(listeners.close()), "close the listener");
    }

    @Override
    public int closeIdle() {
        List<Future<Boolean>> closes = new ArrayList<>();
        for (Channel channel : connections) {
            closes.add(on(channel, () -> closeIfIdle(channel)));
        }
        return count(closes, "close idle connections");
    }

    /** On the channel's event loop. */
    private boolean closeIfIdle(Channel channel) {
        if (!channel.isActive() || upgraded.contains(channel)) {
            return false;
        }
        if (ReactorNettyHttp2.http2(channel)) {
            return ReactorNettyHttp2.finishGoAway(channel);
        }
        if (ChannelOperations.get(channel) == null) {
            channel.close();
            return true;
        }
        return false;
    }

    @Override
    public int closeUpgraded() {
        List<Future<Boolean>> closes = new ArrayList<>();
        for (Channel channel : upgraded) {
            closes.add(on(channel, () -> {
                if (channel.isActive() && ChannelOperations.get(channel) instanceof WebsocketOutbound ws) {
                    ChannelPipeline pipeline = channel.pipeline();
                    if (pipeline.get(NettyPipeline.ReactiveBridge) != null) {
                        pipeline.addBefore(NettyPipeline.ReactiveBridge, WebSocketClosingHandshake.NAME, new WebSocketClosingHandshake());
                    }
                    ws.sendClose(1001, "going away").subscribe(null, error -> log.debug("ebb: 1001 on {} failed", channel, error));
                    return true;
                }
                return false;
            }));
        }
        return count(closes, "send WebSocket close frames");
    }

    @Override
    public int abort() {
        List<Future<Boolean>> aborts = new ArrayList<>();
        for (Channel channel : connections) {
            aborts.add(on(channel, () -> {
                if (!channel.isOpen()) {
                    return false;
                }
                // From the head of the pipeline: no handler (HTTP/2's graceful close, the WebSocket closing
                // handshake) may delay it.
                ChannelHandlerContext first = channel.pipeline().firstContext();
                if (first != null) {
                    first.close();
                } else {
                    channel.close();
                }
                return true;
            }));
        }
        return count(aborts, "abort connections");
    }

    @Override
    public void upgradeCompleted(Object nativeRequest) {
        if (!(nativeRequest instanceof Connection request)) {
            return;
        }
        Channel channel = request.channel();
        if (ChannelOperations.get(channel) instanceof WebsocketInbound && upgraded.add(channel)) {
            core.upgradeOpened();
            channel.closeFuture().addListener(closed -> core.upgradeClosed());
        }
    }

    /** Runs {@code step} on the channel's event loop; {@code null} when the loop has shut down (so has the channel). */
    private static Future<Boolean> on(Channel channel, Callable<Boolean> step) {
        try {
            return channel.eventLoop().submit(step);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    @Override
    public void http2RequestWhileClosing(Object nativeRequest) {
        if (!(nativeRequest instanceof Connection stream)) {
            return;
        }
        Channel connection = stream.channel().parent();
        if (connection != null && !(connection instanceof ServerChannel)) {
            on(connection, () -> {
                ReactorNettyHttp2.startGoAway(connection);
                return true;
            });
        }
    }

    private static int count(List<Future<Boolean>> results, String what) {
        int n = 0;
        for (Future<Boolean> result : results) {
            if (result == null) {
                continue;
            }
            try {
                if (Boolean.TRUE.equals(result.get(STEP_SECONDS, TimeUnit.SECONDS))) {
                    n++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                log.warn("ebb: could not {} on one connection", what, e);
            }
        }
        return n;
    }

    private static void await(List<? extends Future<?>> results, String what) {
        for (Future<?> result : results) {
            if (!result.awaitUninterruptibly(TimeUnit.SECONDS.toMillis(STEP_SECONDS))) {
                log.warn("ebb: could not {} within {}s", what, STEP_SECONDS);
            }
        }
    }
}
