package dev.ebb.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

/**
 * NIO event loop groups for the tests, on whichever Netty generation runs them: Netty 4.2's
 * {@code IoHandler} API where present, 4.1's {@code NioEventLoopGroup} otherwise. These tests are compiled
 * against 4.2 and also run on 4.1 (the {@code compat/netty4.1} module); the 4.2-only classes are touched
 * only inside {@link Netty42}, which 4.1 never loads.
 */
final class EventLoops {

    private static final boolean IO_HANDLERS = present("io.netty.channel.IoHandlerFactory");

    private EventLoops() {
    }

    /** A group of {@code threads} NIO event loops. */
    static EventLoopGroup nio(int threads) {
        return IO_HANDLERS ? Netty42.nio(threads) : Netty41.nio(threads);
    }

    private static boolean present(String name) {
        try {
            Class.forName(name, false, EventLoopGroup.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static final class Netty42 {
        static EventLoopGroup nio(int threads) {
            return new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        }
    }

    private static final class Netty41 {
        @SuppressWarnings("deprecation") // deprecated in 4.2, where Netty42 is used instead
        static EventLoopGroup nio(int threads) {
            return new io.netty.channel.nio.NioEventLoopGroup(threads);
        }
    }
}
