package dev.ebb.spring;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;

/**
 * Lets the peer answer the close frame Ebb sent on a Reactor Netty WebSocket before the connection closes:
 * Reactor Netty closes the connection as soon as its own close frame is written, which would cut the
 * closing handshake short. Put in the WebSocket connection's pipeline before Ebb's close frame is sent, it
 * holds any close of the connection until the peer's close frame has come in (then lets it through). A
 * peer that never answers keeps the connection until the drain timeout aborts it, below this handler.
 * Confined to the connection's event loop.
 */
final class WebSocketClosingHandshake extends ChannelDuplexHandler {

    static final String NAME = "ebb.closingHandshake";

    private ChannelPromise held;
    private boolean answered;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof CloseWebSocketFrame) {
            answered = true;
            ctx.fireChannelRead(msg);
            if (held != null) {
                ChannelPromise promise = held;
                held = null;
                ctx.close(promise);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (answered) {
            ctx.close(promise);
        } else if (held == null) {
            held = promise;
        } else {
            held.addListener(f -> promise.trySuccess());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (held != null) {
            held.trySuccess();
            held = null;
        }
        ctx.fireChannelInactive();
    }
}
