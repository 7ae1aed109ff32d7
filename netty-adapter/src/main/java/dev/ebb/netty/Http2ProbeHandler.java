package dev.ebb.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers the probe paths on HTTP/2 streams, right after {@code Http2StreamFrameToHttpObjectCodec}.
 * Other requests pass through untouched (they are counted per stream by {@link Http2Tracker}).
 * Stateless and shared by every stream.
 */
@ChannelHandler.Sharable
final class Http2ProbeHandler extends ChannelInboundHandlerAdapter {

    private final Probes probes;

    Http2ProbeHandler(Probes probes) {
        this.probes = probes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            int status = probes.status(request.uri());
            if (status != 0) {
                boolean body = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(Probes.response(status));
                if (body) {
                    // The stream carries a body: drop it rather than hand it to the application.
                    ctx.pipeline().replace(this, null, new DiscardInbound());
                }
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Drops what is left of a probe's request. */
    private static final class DiscardInbound extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
