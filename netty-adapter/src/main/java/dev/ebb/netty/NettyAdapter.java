package dev.ebb.netty;

import dev.ebb.spi.KeepAlive;
import dev.ebb.spi.ServerAdapter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.Version;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * What Ebb does to a Netty server: tracks its connections, closes its server channels, closes idle
 * connections and tells upgraded ones 1001 on their own event loops, aborts the rest and shuts the event
 * loop groups down. Runs on core's shutdown thread; waits are bounded and never on an event loop.
 * Thread-safe.
 */
final class NettyAdapter implements ServerAdapter {

    private static final long WAIT_SECONDS = 10;

    private final ChannelGroup channels = new DefaultChannelGroup("ebb", GlobalEventExecutor.INSTANCE, true);
    private final Duration explicitKeepAlive;
    private final String handlerName;
    private volatile long keepAliveNanos;
    private volatile List<Channel> serverChannels = List.of();
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

    void serve(List<Channel> serverChannels, List<EventLoopGroup> groups) {
        this.serverChannels = List.copyOf(serverChannels);
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
        onEachConnection(t -> {
            t.startDeregistering();
            return false;
        }, false);
    }

    @Override
    public void closeListeners() {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Channel server : serverChannels) {
            closing.add(server.close());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * On each channel's event loop, so that no request can be read between the check and the close. A close sends
     * the FIN at once; Netty runs the rest (the pipeline's inactive events) in later tasks, after this loop's.
     * Not {@code shutdownOutput()} first: it creates an exception per channel.
     */
    @Override
    public int closeIdleConnections() {
        return onEachConnection(Tracked::closeIfIdle, true);
    }

    @Override
    public int closeUpgradedConnections() {
        return onEachConnection(Tracked::goAway);
    }

    /** Runs {@code action} on every open connection's event loop and waits; counts the {@code true} answers. */
    private int onEachConnection(Predicate<Tracked> action) {
        return onEachConnection(action, true);
    }

    /**
     * Runs {@code action} on every open connection, on its event loop: one task per event loop that goes through
     * all of that loop's connections (10,000 connections are a handful of tasks, not 10,000 wake-ups). Counts the
     * {@code true} answers, after waiting (bounded) for every loop when {@code await}.
     */
    private int onEachConnection(Predicate<Tracked> action, boolean await) {
        Map<EventLoop, List<Channel>> byLoop = new IdentityHashMap<>();
        for (Channel ch : channels) {
            byLoop.computeIfAbsent(ch.eventLoop(), l -> new ArrayList<>()).add(ch);
        }
        CountDownLatch checked = new CountDownLatch(byLoop.size());
        AtomicInteger count = new AtomicInteger();
        byLoop.forEach((loop, loopChannels) -> {
            Runnable task = () -> {
                int n = 0;
                RuntimeException failure = null;
                for (Channel ch : loopChannels) {
                    try {
                        // A channel whose Ebb handler is gone is left as it is: the bare server would keep it too.
                        if (ch.isActive() && ch.pipeline().get(handlerName) instanceof Tracked t && action.test(t)) {
                            n++;
                        }
                    } catch (RuntimeException e) { // one connection's failure is not the others': on to the next
                        failure = failure == null ? e : failure;
                    }
                }
                count.addAndGet(n);
                checked.countDown();
                if (failure != null) {
                    throw failure; // the event loop logs it
                }
            };
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                checked.countDown();
            }
        });
        if (await) {
            await(checked);
        }
        return count.get();
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

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
