package dev.ebb.netty;

import dev.ebb.spi.EbbCore;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Ebb on one HTTP/1.x connection, right after {@code HttpServerCodec}: counts requests, answers the
 * probe paths, takes over keep-alive (what {@code HttpServerKeepAliveHandler} does, plus
 * {@code Connection: close} whenever core says so), closes the channel after the last byte of its last
 * response, and closes it after the keep-alive idle timeout when no request is in progress.
 *
 * <p>Pipelining: requests and responses are numbered in order. While serving, a response is the
 * connection's last only if no later request has been read (a client's {@code Connection: close} on a
 * later request waits for that one). Once core says to close, the next response is the last: pipelined
 * requests behind it are left unanswered and the connection closes after it (RFC 9112 §9.3.2: the client
 * retries them elsewhere). Requests read after the last response was decided are dropped unanswered.
 *
 * <p>Upgrades: a {@code 101 Switching Protocols} response (e.g. the WebSocket handshake of
 * {@code WebSocketServerProtocolHandler}) is written untouched, never with {@code Connection: close}. From
 * then on the connection is upgraded: core is told ({@code upgradeOpened}, and {@code upgradeClosed} when
 * the channel closes), every message passes through unread, the keep-alive timer and the idle close leave
 * it alone, and at DRAINING a WebSocket gets a close frame 1001 (going away) through the pipeline.
 *
 * <p>One instance per channel; every field is confined to the channel's event loop. Per request it does
 * counter arithmetic, header checks and one listener on the last write: no allocation of its own.
 */
final class Http1Handler extends ChannelDuplexHandler implements Tracked {

    private static final byte PASS = 0;
    private static final byte SKIP_BODY = 1;
    private static final byte SKIP_ALL = 2;

    private final EbbCore core;
    private final Probes probes;
    private final boolean enabled;
    private final long keepAliveNanos;

    private ChannelHandlerContext ctx;
    /** Requests read (probes included), response heads written, response ends written, ends flushed out. */
    private int requests;
    private int heads;
    private int ends;
    private int done;
    /** Application requests counted by core whose response end has not been written yet. */
    private int open;
    private boolean clientKeepAlive = true;
    /** The last response has been decided: no further request is taken. */
    private boolean last;
    /** The response numbered {@code closeAt} is the last: the channel closes once its end is out. */
    private boolean closing;
    private int closeAt;
    private boolean closeWhenIdle;
    private byte skip = PASS;
    /** A 101 was written: the connection speaks another protocol now. */
    private boolean upgraded;
    private ArrayDeque<DeferredProbe> deferredProbes;
    private long idleSince;
    private ScheduledFuture<?> idleCheck;

    private final ChannelFutureListener requestDone = this::requestDone;
    private final ChannelFutureListener probeDone = f -> responseDone();
    private final Runnable idleTask = this::checkIdle;

    Http1Handler(EbbCore core, Probes probes, long keepAliveNanos) {
        this.core = core;
        this.probes = probes;
        this.enabled = core.config().enabled();
        this.keepAliveNanos = enabled ? keepAliveNanos : 0;
    }

    // ---- inbound ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            startIdleTimer();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startIdleTimer();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (upgraded) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (skip != PASS) {
            if (skip == SKIP_BODY && msg instanceof LastHttpContent) {
                skip = PASS;
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            if (last) {
                skip = SKIP_ALL;
                ReferenceCountUtil.release(msg);
                return;
            }
            if (enabled && !HttpUtil.isKeepAlive(request)) {
                clientKeepAlive = false;
                last = true;
            }
            int seq = requests++;
            int probe = probes.status(request.uri());
            if (probe != 0 && !enabled && !HttpUtil.isKeepAlive(request)) {
                probe = -probe; // disabled: a probe that asks to close gets what plain Netty code would do
            }
            if (probe != 0) {
                if (!(msg instanceof LastHttpContent)) {
                    skip = SKIP_BODY;
                }
                ReferenceCountUtil.release(msg);
                if (ends == seq) {
                    writeProbe(probe);
                } else {
                    if (deferredProbes == null) {
                        deferredProbes = new ArrayDeque<>(2);
                    }
                    deferredProbes.add(new DeferredProbe(seq, probe));
                }
                return;
            }
            open++;
            core.requestStarted();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (keepAliveNanos > 0 && !upgraded) {
            idleSince = System.nanoTime();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    // ---- outbound ----

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (upgraded) {
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            if (code == 101) {
                upgrade();
            } else if (code >= 100 && code < 200) {
                ctx.write(msg, promise);
                return;
            } else {
                head(response, false);
            }
        }
        if (msg instanceof LastHttpContent && heads != ends) {
            ends++;
            ChannelFutureListener listener = probeDone;
            if (open > 0) {
                open--;
                listener = requestDone;
            }
            ctx.write(msg, promise.unvoid().addListener(listener));
            writeDeferredProbes();
            return;
        }
        ctx.write(msg, promise);
    }

    // ---- called by the adapter on this channel's event loop ----

    @Override
    public void startDeregistering() {
        // Told per response: the next one says Connection: close.
    }

    @Override
    public boolean closeIfIdle() {
        if (upgraded) {
            return false;
        }
        if (requests == done) {
            ctx.close();
            return true;
        }
        closeWhenIdle = true;
        return false;
    }

    @Override
    public boolean goAway() {
        if (!upgraded || !ctx.channel().isActive() || ctx.pipeline().get(WebSocketFrameEncoder.class) == null) {
            return false;
        }
        // From the tail: the application's WebSocket handler sees it, stops sending and closes the channel
        // when the client answers.
        ctx.channel().writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE));
        return true;
    }

    // ---- internals ----

    /** The response being written is a 101: the connection leaves HTTP/1.1 once it is out. */
    private void upgrade() {
        heads++;
        upgraded = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        core.upgradeOpened();
        ctx.channel().closeFuture().addListener(f -> core.upgradeClosed());
    }

    /** Decides keep-alive for the response head being written (HttpServerKeepAliveHandler's rules plus core's). */
    private void head(HttpResponse response, boolean probe) {
        heads++;
        if (!enabled) {
            return;
        }
        if (closing) {
            HttpUtil.setKeepAlive(response, false);
            return;
        }
        boolean close;
        if (!HttpUtil.isKeepAlive(response) || !selfDelimited(response)) {
            close = true;
        } else if (requests == heads && !clientKeepAlive) {
            close = true;
        } else {
            close = probe ? core.closing() : core.closeConnection();
        }
        if (close) {
            HttpUtil.setKeepAlive(response, false);
            last = true;
            closing = true;
            closeAt = heads;
        }
    }

    private void writeProbe(int status) {
        boolean clientClose = status < 0;
        FullHttpResponse response = Probes.response(Math.abs(status));
        head(response, true);
        ends++;
        if (clientClose) {
            HttpUtil.setKeepAlive(response, false);
            ctx.writeAndFlush(response, ctx.newPromise().addListener(probeDone).addListener(ChannelFutureListener.CLOSE));
        } else {
            ctx.writeAndFlush(response, ctx.newPromise().addListener(probeDone));
        }
    }

    private void writeDeferredProbes() {
        while (deferredProbes != null && !deferredProbes.isEmpty() && deferredProbes.peek().seq() == ends) {
            writeProbe(deferredProbes.poll().status());
        }
    }

    private void requestDone(ChannelFuture future) {
        core.requestFinished();
        responseDone();
    }

    private void responseDone() {
        done++;
        if (upgraded) {
            if (closeWhenIdle) {
                // DRAINING began while the handshake was in progress: tell it now, once the 101 is out.
                ctx.executor().execute(this::goAway);
            }
            return;
        }
        if (closing && closeAt - done <= 0 || closeWhenIdle && requests == done) {
            ctx.close();
        } else if (requests == done && keepAliveNanos > 0) {
            idleSince = System.nanoTime();
        }
    }

    private void startIdleTimer() {
        if (keepAliveNanos > 0 && idleCheck == null) {
            idleSince = System.nanoTime();
            idleCheck = ctx.executor().schedule(idleTask, keepAliveNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void checkIdle() {
        idleCheck = null;
        if (upgraded || !ctx.channel().isOpen()) {
            return;
        }
        long next = keepAliveNanos;
        if (requests == done) {
            long idle = System.nanoTime() - idleSince;
            if (idle >= keepAliveNanos) {
                ctx.close();
                return;
            }
            next = keepAliveNanos - idle;
        }
        idleCheck = ctx.executor().schedule(idleTask, next, TimeUnit.NANOSECONDS);
    }

    /** The channel is gone: requests that never got a response end are finished now, exactly once. */
    private void release() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        while (open > 0) {
            open--;
            core.requestFinished();
        }
    }

    private static boolean selfDelimited(HttpResponse response) {
        int code = response.status().code();
        return HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response)
                || code == 204 || code == 304;
    }

    private record DeferredProbe(int seq, int status) {
    }
}
