package dev.ebb.netty;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.ProbeResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/** Recognises probe requests and builds their responses. Stateless. */
final class Probes {

    private static final ByteBuf OK = body(ProbeResponse.UP);
    private static final ByteBuf UNAVAILABLE = body(ProbeResponse.DOWN);
    private static final AsciiString CONTENT_TYPE = AsciiString.cached(ProbeResponse.CONTENT_TYPE);
    private static final AsciiString CACHE_CONTROL = AsciiString.cached(ProbeResponse.CACHE_CONTROL);

    private final EbbCore core;
    private final String readiness;
    private final String liveness;

    Probes(EbbCore core) {
        this.core = core;
        this.readiness = core.config().readinessPath();
        this.liveness = core.config().livenessPath();
    }

    /** The probe status for a request to {@code uri}, or 0 when it is not a probe. Allocation-free for others. */
    int status(String uri) {
        if (!uri.startsWith(readiness) && !uri.startsWith(liveness)) {
            return 0;
        }
        int query = uri.indexOf('?');
        return core.probeStatus(query < 0 ? uri : uri.substring(0, query));
    }

    /** A complete response with {@code status}, its length set, no {@code Connection} header. */
    static FullHttpResponse response(int status) {
        ByteBuf content = (status == 200 ? OK : UNAVAILABLE).duplicate();
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                content);
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE)
                .set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, CACHE_CONTROL);
        return res;
    }

    private static ByteBuf body(ProbeResponse probe) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(probe.bodyBytes()).asReadOnly());
    }
}
