package dev.ebb.netty;

import dev.ebb.spi.EbbCore;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * Ebb on one HTTP/2 connection, right after its {@code Http2FrameCodec}: counts client streams as
 * requests (a stream is in flight from its HEADERS until it closes, reset included) and runs the
 * two-step graceful GOAWAY.
 *
 * <p>When DEREGISTERING begins (and on connections accepted after that) it sends GOAWAY(NO_ERROR) with
 * the last stream id at 2^31-1: the client opens no new stream here and reconnects, while streams it
 * already sent are still served. When DRAINING begins it sends the second GOAWAY with the real last
 * stream id and closes the connection at once if no stream is active, or as soon as the last one closes.
 * The deregistration delay (seconds under Kubernetes) is what gives the client its round trip to see
 * the first one; with a zero delay a stream racing the first GOAWAY may be refused (REFUSED_STREAM
 * semantics: the client may retry it safely).
 *
 * <p>One instance per connection; fields confined to its event loop. Per stream: an atomic increment
 * and decrement in core, no allocation of its own.
 */
final class Http2Tracker extends ChannelDuplexHandler implements Tracked {

    private final EbbCore core;
    private final Http2Connection connection;
    private final Runnable closeIfDone = this::closeIfDone;
    private ChannelHandlerContext ctx;
    private boolean firstGoAwaySent;
    private boolean closeWhenDone;

    private final Http2ConnectionAdapter streams = new Http2ConnectionAdapter() {
        @Override
        public void onStreamActive(Http2Stream stream) {
            if (fromClient(stream)) {
                core.requestStarted();
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
            startGoAway();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        if (core.closing()) {
            startGoAway();
        }
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
        startGoAway();
    }

    @Override
    public boolean closeIfIdle() {
        return finishGoAway();
    }

    /** First GOAWAY: no new streams, every stream id still accepted. On the event loop. */
    void startGoAway() {
        if (firstGoAwaySent || !ctx.channel().isActive()) {
            return;
        }
        firstGoAwaySent = true;
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
    }

    /**
     * Second GOAWAY with the last stream id created; closes now if idle (returns {@code true}) or once the
     * active streams have closed. On the event loop.
     */
    boolean finishGoAway() {
        if (!ctx.channel().isActive()) {
            return false;
        }
        firstGoAwaySent = true;
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
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
