package dev.ebb.netty;

import dev.ebb.spi.EbbCore;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * Ebb on one HTTP/2 connection, right after its {@code Http2FrameCodec}: counts client streams as
 * requests (a stream is in flight from its HEADERS until it closes, reset included) and runs the
 * two-step graceful GOAWAY.
 *
 * <p>When DEREGISTERING begins it sends GOAWAY(NO_ERROR) with the last stream id at 2^31-1 and a PING:
 * the client opens no new stream here and reconnects, while streams it already sent, even those still on
 * the wire, are served. The PING's acknowledgement comes back after every frame the client sent before it
 * saw the GOAWAY, so on it (one round trip later) the final GOAWAY names the last stream really taken, and
 * the connection closes as soon as its last stream has ended. A connection accepted while deregistering is
 * served like an HTTP/1.1 one told {@code Connection: close}: the GOAWAYs start with its first stream. At
 * DRAINING a connection still waiting for its acknowledgement (or its first stream) gets the final GOAWAY
 * at once. No stream the server accepted is reset.
 *
 * <p>One instance per connection; fields confined to its event loop. Per stream: an atomic increment
 * and decrement in core, no allocation of its own.
 */
final class Http2Tracker extends ChannelDuplexHandler implements Tracked {

    /** The payload of Ebb's PING ("ebb-goaw"), to tell its acknowledgement from the application's. */
    private static final long PING = 0x6562622d676f6177L;

    private final EbbCore core;
    private final Http2Connection connection;
    private final Runnable closeIfDone = this::closeIfDone;
    private final Runnable startGoAway = this::startGoAway;
    private ChannelHandlerContext ctx;
    private boolean firstGoAwaySent;
    private boolean finalGoAwaySent;
    private boolean goAwayOnFirstStream;
    private boolean closeWhenDone;

    private final Http2ConnectionAdapter streams = new Http2ConnectionAdapter() {
        @Override
        public void onStreamActive(Http2Stream stream) {
            if (fromClient(stream)) {
                core.requestStarted();
                if (goAwayOnFirstStream) {
                    goAwayOnFirstStream = false;
                    ctx.executor().execute(startGoAway);
                }
            }
        }

        @Override
        public void onStreamClosed(Http2Stream stream) {
            if (fromClient(stream)) {
                core.requestFinished();
                if (closeWhenDone) {
                    ctx.executor().execute(closeIfDone);
                }
            }
        }
    };

    Http2Tracker(EbbCore core, Http2Connection connection) {
        this.core = core;
        this.connection = connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        connection.addListener(streams);
        if (ctx.channel().isActive() && core.closing()) {
            goAwayOnFirstStream = true;
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        if (core.closing() && !firstGoAwaySent) {
            goAwayOnFirstStream = true;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2PingFrame ping && ping.ack() && ping.content() == PING) {
            finishGoAway();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        connection.removeListener(streams);
    }

    /**
     * Adds Ebb to an HTTP/2 connection (after {@code Http2FrameCodec}) or stream (after
     * {@code Http2StreamFrameToHttpObjectCodec}) pipeline and says which it was. Kept here so that
     * HTTP/1-only applications need no {@code netty-codec-http2} on the class path.
     */
    static Added addTo(ChannelPipeline pipeline, String name, EbbCore core, Http2ProbeHandler streamProbes) {
        ChannelHandlerContext codec = pipeline.context(Http2FrameCodec.class);
        if (codec != null) {
            Http2Connection connection = ((Http2FrameCodec) codec.handler()).connection();
            pipeline.addAfter(codec.name(), name, new Http2Tracker(core, connection));
            return Added.CONNECTION;
        }
        codec = pipeline.context(Http2StreamFrameToHttpObjectCodec.class);
        if (codec != null) {
            pipeline.addAfter(codec.name(), name, streamProbes);
            return Added.STREAM;
        }
        return Added.NONE;
    }

    /** What {@link #addTo} found. */
    enum Added { CONNECTION, STREAM, NONE }

    @Override
    public void startDeregistering() {
        // A connection accepted after closing began is told at its first stream, which is served, as an HTTP/1
        // connection is told with its first response: the adapter's pass over the connections may reach it first.
        if (!goAwayOnFirstStream) {
            startGoAway();
        }
    }

    @Override
    public boolean closeIfIdle() {
        return finishGoAway();
    }

    @Override
    public boolean goAway() {
        return false;
    }

    /** First GOAWAY: no new streams, every stream id still accepted; then a PING to time the final one. */
    private void startGoAway() {
        goAwayOnFirstStream = false;
        if (firstGoAwaySent || !ctx.channel().isActive()) {
            return;
        }
        firstGoAwaySent = true;
        ctx.write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
        ctx.writeAndFlush(new DefaultHttp2PingFrame(PING));
    }

    /**
     * Final GOAWAY with the last stream id created; closes now if idle (returns {@code true}) or once the
     * active streams have closed.
     */
    private boolean finishGoAway() {
        goAwayOnFirstStream = false;
        if (!ctx.channel().isActive()) {
            return false;
        }
        firstGoAwaySent = true;
        if (!finalGoAwaySent) {
            finalGoAwaySent = true;
            ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        }
        if (connection.numActiveStreams() == 0) {
            ctx.close();
            return true;
        }
        closeWhenDone = true;
        return false;
    }

    private void closeIfDone() {
        if (connection.numActiveStreams() == 0) {
            ctx.close();
        }
    }

    private boolean fromClient(Http2Stream stream) {
        return connection.remote().isValidStreamId(stream.id());
    }
}
