package dev.ebb.jetty;

import dev.ebb.spi.EbbCore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The handler Ebb wraps around the application: answers the probe paths, and tracks every other request
 * through one {@link HttpStream} wrapper, Jetty's hook for "the exchange is complete" (it completes
 * after the handler's callback and the last write, also when the handler returns {@code false} or
 * throws) and for "the response is about to be committed" ({@code prepareResponse}, where a servlet
 * {@code reset()} can no longer remove the header). That wrapper is the one object allocated per
 * request; per-connection state is allocated once per connection.
 */
final class EbbHandler extends Handler.Wrapper implements Connection.Listener {

    private final EbbCore core;
    private final boolean enabled;
    private final ConcurrentHashMap<Connection, Tracked> connections = new ConcurrentHashMap<>();

    EbbHandler(Handler application, EbbCore core) {
        super(application);
        this.core = core;
        this.enabled = core.config().enabled();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        int probe = core.probeStatus(request.getHttpURI().getPath());
        if (probe != 0) {
            return answerProbe(probe, request, response, callback);
        }
        if (!enabled) {
            return super.handle(request, response, callback);
        }
        ConnectionMetaData meta = request.getConnectionMetaData();
        Tracked tracked = track(meta.getConnection(), meta.getHttpVersion());
        tracked.inFlight.incrementAndGet();
        core.requestStarted();
        try {
            request.addHttpStreamWrapper(tracked);
        } catch (RuntimeException | Error e) {
            tracked.finished();
            throw e;
        }
        if (tracked.http2 && !tracked.goneAway && core.closing()) {
            tracked.goneAway = true;
            Http2.goAway(tracked.connection);
        }
        return super.handle(request, response, callback);
    }

    /** Whether a request is in progress on {@code connection}, as far as this handler has seen. */
    boolean busy(Connection connection) {
        Tracked tracked = connections.get(connection);
        return tracked != null && tracked.inFlight.get() > 0;
    }

    @Override
    public void onClosed(Connection connection) {
        connections.remove(connection);
    }

    private Tracked track(Connection connection, HttpVersion version) {
        Tracked tracked = connections.get(connection);
        if (tracked == null) {
            tracked = new Tracked(connection, version);
            Tracked raced = connections.putIfAbsent(connection, tracked);
            if (raced != null) {
                return raced;
            }
            connection.addEventListener(this);
            if (!connection.getEndPoint().isOpen()) {
                connections.remove(connection);
            }
        }
        return tracked;
    }

    private boolean answerProbe(int status, Request request, Response response, Callback callback) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (core.closing() && isHttp1(request.getConnectionMetaData().getHttpVersion())) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        }
        Content.Sink.write(response, true, status == 200 ? "UP\n" : "DOWN\n", callback);
        return true;
    }

    private static boolean isHttp1(HttpVersion version) {
        return version != HttpVersion.HTTP_2 && version != HttpVersion.HTTP_3;
    }

    /** One connection's requests in progress; also the factory of its requests' stream wrappers. */
    private final class Tracked implements Function<HttpStream, HttpStream> {
        final Connection connection;
        final boolean http1;
        final boolean http2;
        final AtomicInteger inFlight = new AtomicInteger();
        volatile boolean goneAway;

        Tracked(Connection connection, HttpVersion version) {
            this.connection = connection;
            this.http1 = isHttp1(version);
            this.http2 = version == HttpVersion.HTTP_2;
        }

        @Override
        public HttpStream apply(HttpStream stream) {
            return new TrackedStream(stream, this);
        }

        void finished() {
            inFlight.decrementAndGet();
            core.requestFinished();
        }
    }

    /** Adds {@code Connection: close} at commit when core says so; reports completion exactly once. */
    private final class TrackedStream extends HttpStream.Wrapper {
        private final Tracked tracked;

        TrackedStream(HttpStream wrapped, Tracked tracked) {
            super(wrapped);
            this.tracked = tracked;
        }

        @Override
        public void prepareResponse(HttpFields.Mutable headers) {
            if (tracked.http1 && core.closeConnection()) {
                headers.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
            }
            super.prepareResponse(headers);
        }

        @Override
        public void succeeded() {
            // Counted before Jetty moves on: on HTTP/1 it may go on to parse and run the next request here.
            tracked.finished();
            super.succeeded();
        }

        @Override
        public void failed(Throwable failure) {
            tracked.finished();
            super.failed(failure);
        }
    }
}
