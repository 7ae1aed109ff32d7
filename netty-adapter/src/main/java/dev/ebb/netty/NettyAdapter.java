package dev.ebb.netty;

import dev.ebb.spi.KeepAlive;
import dev.ebb.spi.ServerAdapter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.Version;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What Ebb does to a Netty server: tracks its connections, closes its server channel, closes idle
 * connections on their own event loops, aborts the rest and shuts the event loop groups down. Runs on
 * core's shutdown thread; waits are bounded and never on an event loop. Thread-safe.
 */
final class NettyAdapter implements ServerAdapter {

    private static final long WAIT_SECONDS = 10;

    private final ChannelGroup channels = new DefaultChannelGroup("ebb", GlobalEventExecutor.INSTANCE, true);
    private final Duration explicitKeepAlive;
    private final String handlerName;
    private volatile long keepAliveNanos;
    private volatile Channel serverChannel;
    private volatile List<EventLoopGroup> groups = List.of();

    NettyAdapter(Duration explicitKeepAlive, String handlerName) {
        this.explicitKeepAlive = explicitKeepAlive;
        this.handlerName = handlerName;
        this.keepAliveNanos = explicitKeepAlive == null ? 0 : explicitKeepAlive.toNanos();
    }

    void track(Channel channel) {
        channels.add(channel);
    }

    long keepAliveNanos() {
        return keepAliveNanos;
    }

    void serve(Channel serverChannel, List<EventLoopGroup> groups) {
        this.serverChannel = serverChannel;
        this.groups = List.copyOf(groups);
    }

    @Override
    public String serverName() {
        Version v = Version.identify().get("netty-common");
        return "Netty " + (v == null ? "4" : v.artifactVersion());
    }

    @Override
    public KeepAlive keepAlive() {
        return explicitKeepAlive == null ? KeepAlive.none() : KeepAlive.explicit(explicitKeepAlive);
    }

    @Override
    public void setKeepAliveTimeout(Duration timeout) {
        keepAliveNanos = timeout.toNanos();
    }

    @Override
    public void startDeregistering() {
        for (Channel ch : channels) {
            onEventLoop(ch, () -> {
                if (ch.pipeline().get(handlerName) instanceof Tracked t) {
                    t.startDeregistering();
                }
            });
        }
    }

    @Override
    public void closeListeners() {
        Channel server = serverChannel;
        if (server != null) {
            server.close().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Override
    public int closeIdleConnections() {
        List<Channel> snapshot = new ArrayList<>(channels);
        CountDownLatch checked = new CountDownLatch(snapshot.size());
        AtomicInteger closed = new AtomicInteger();
        for (Channel ch : snapshot) {
            boolean queued = onEventLoop(ch, () -> {
                try {
                    if (closeIfIdle(ch)) {
                        closed.incrementAndGet();
                    }
                } finally {
                    checked.countDown();
                }
            });
            if (!queued) {
                checked.countDown();
            }
        }
        await(checked);
        return closed.get();
    }

    /** On {@code ch}'s event loop, so no request can be read between the check and the close. */
    private boolean closeIfIdle(Channel ch) {
        if (!ch.isActive()) {
            return false;
        }
        if (ch.pipeline().get(handlerName) instanceof Tracked t) {
            return t.closeIfIdle();
        }
        ch.close(); // no longer HTTP (e.g. upgraded to WebSocket): nothing of ours is in flight
        return true;
    }

    @Override
    public int abortConnections() {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Channel ch : channels) {
            if (ch.isOpen()) {
                // From the first handler's context: straight to the socket, past graceful closes (HTTP/2).
                ChannelHandlerContext first = ch.pipeline().firstContext();
                closing.add(first == null ? ch.close() : first.close());
            }
        }
        channels.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        return closing.size();
    }

    @Override
    public void stop() {
        channels.close();
        List<Future<?>> terminations = new ArrayList<>();
        for (EventLoopGroup group : groups) {
            terminations.add(group.shutdownGracefully(0, WAIT_SECONDS, TimeUnit.SECONDS));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (Future<?> f : terminations) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private static boolean onEventLoop(Channel ch, Runnable task) {
        try {
            ch.eventLoop().execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
