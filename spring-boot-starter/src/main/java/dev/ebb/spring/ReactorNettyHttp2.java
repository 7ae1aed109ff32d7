package dev.ebb.spring;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;

/**
 * The graceful GOAWAY on a Reactor Netty HTTP/2 connection (an {@code Http2FrameCodec} on the connection
 * channel; streams are child channels). When DEREGISTERING begins: GOAWAY(NO_ERROR) with the last stream id
 * at 2^31-1, so that the client opens no new stream here while the streams it sent are still served. At
 * DRAINING: the final GOAWAY with the real last stream id, and the connection closes once its last stream
 * has ended (Netty's graceful close), at once when it has none. Every method runs on the channel's event loop.
 */
final class ReactorNettyHttp2 {

    private ReactorNettyHttp2() {
    }

    /** Sends the first GOAWAY on an HTTP/2 connection, once; does nothing on HTTP/1. */
    static void startGoAway(Channel channel) {
        Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
        if (codec == null || !channel.isActive() || codec.connection().goAwaySent()) {
            return;
        }
        channel.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
    }

    /**
     * Sends the final GOAWAY on an HTTP/2 connection and closes it once its streams have ended.
     *
     * @return whether it had no stream left and was closed at once
     */
    static boolean finishGoAway(Channel channel) {
        Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
        if (codec == null || !channel.isActive()) {
            return false;
        }
        channel.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        boolean idle = codec.connection().numActiveStreams() == 0;
        // With a GOAWAY sent, Netty's close waits for the active streams to end, then closes.
        channel.close();
        return idle;
    }

    /** Closes a connection at once, without waiting for HTTP/2 streams (the codec's graceful close is bypassed). */
    static void abort(Channel channel) {
        ChannelHandlerContext first = channel.pipeline().firstContext();
        if (first != null && channel.pipeline().get(Http2FrameCodec.class) != null) {
            first.close();
        } else {
            channel.close();
        }
    }
}
