package dev.ebb.spring;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * The two-step graceful GOAWAY on one Reactor Netty HTTP/2 connection (an {@code Http2FrameCodec} on the
 * connection channel; streams are child channels), in the connection's pipeline right after the codec.
 *
 * <p>When DEREGISTERING begins it sends GOAWAY(NO_ERROR) with the last stream id at 2^31-1, so that the
 * client opens no new stream here while every stream it already sent is still accepted, followed by a PING.
 * The PING's acknowledgement comes after the client has seen the GOAWAY (one round trip): the final GOAWAY
 * then names the last stream the server took, and the connection closes as soon as its last stream has
 * ended. No accepted stream is reset. At DRAINING, a connection still without its final GOAWAY gets it
 * then. Confined to the connection's event loop.
 */
final class ReactorNettyHttp2 extends ChannelInboundHandlerAdapter {

    private static final String NAME = "ebb.goAway";
    /** The payload of the PING that follows the first GOAWAY. */
    private static final long PING = 0x6562624741574159L;

    private final Http2Connection connection;
    private final Channel channel;
    private boolean finalSent;

    private ReactorNettyHttp2(Http2Connection connection, Channel channel) {
        this.connection = connection;
        this.channel = channel;
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                if (finalSent) {
                    channel.eventLoop().execute(ReactorNettyHttp2.this::closeIfDone);
                }
            }
        });
    }

    /** Sends the first GOAWAY and its PING on an HTTP/2 connection, once; does nothing on HTTP/1. */
    static void startGoAway(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        ChannelHandlerContext codec = pipeline.context(Http2FrameCodec.class);
        if (codec == null || !channel.isActive() || pipeline.get(NAME) != null) {
            return;
        }
        pipeline.addAfter(codec.name(), NAME, new ReactorNettyHttp2(((Http2FrameCodec) codec.handler()).connection(), channel));
        channel.write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
        channel.writeAndFlush(new DefaultHttp2PingFrame(PING));
    }

    /**
     * Sends the final GOAWAY on an HTTP/2 connection (if not sent yet) and closes it once its streams have ended.
     *
     * @return whether it was an HTTP/2 connection without any stream, closed at once
     */
    static boolean finishGoAway(Channel channel) {
        startGoAway(channel);
        if (channel.pipeline().get(NAME) instanceof ReactorNettyHttp2 goAway && channel.isActive()) {
            boolean idle = goAway.connection.numActiveStreams() == 0;
            goAway.sendFinal();
            return idle;
        }
        return false;
    }

    /** Whether {@code channel} is an HTTP/2 connection. */
    static boolean http2(Channel channel) {
        return channel.pipeline().get(Http2FrameCodec.class) != null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2PingFrame ping && ping.ack() && ping.content() == PING) {
            sendFinal();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void sendFinal() {
        if (!finalSent) {
            finalSent = true;
            channel.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        }
        closeIfDone();
    }

    private void closeIfDone() {
        if (channel.isActive() && connection.numActiveStreams() == 0) {
            channel.close();
        }
    }
}
