package dev.ebb.jetty;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The contract's application on Jetty's core handler API: {@code /work?ms=N} (via {@link WorkHandler}),
 * {@code POST /echo}, {@code /throw} and {@code /events?ms=N}, an event stream the application ends once
 * {@link #drain()} is called (wired to {@code Ebb.onDraining}). Nothing here blocks a thread.
 */
final class ContractApp extends Handler.Abstract.NonBlocking {

    private final WorkHandler work = new WorkHandler();
    private volatile boolean draining;

    /** Ends every event stream at its next tick; a stream opened later ends at once. */
    void drain() {
        draining = true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        switch (Request.getPathInContext(request)) {
            case "/echo" -> Content.Source.asString(request, StandardCharsets.UTF_8,
                    Promise.from(body -> Content.Sink.write(response, true, body, callback), callback::failed));
            case "/throw" -> throw new IllegalStateException("the application failed");
            case "/events" -> {
                Fields query = Request.extractQueryParameters(request);
                long ms = Long.parseLong(query.getValue("ms") == null ? "1000" : query.getValue("ms"));
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                new EventStream(response, callback, request.getComponents().getScheduler(), ms).tick();
            }
            default -> {
                return work.handle(request, response, callback);
            }
        }
        return true;
    }

    /** One {@code data: tick} every {@code ms}; each write waits for the previous one. */
    private final class EventStream implements Callback {
        private final Response response;
        private final Callback callback;
        private final Scheduler scheduler;
        private final long ms;

        EventStream(Response response, Callback callback, Scheduler scheduler, long ms) {
            this.response = response;
            this.callback = callback;
            this.scheduler = scheduler;
            this.ms = ms;
        }

        void tick() {
            if (draining) {
                response.write(true, BufferUtil.EMPTY_BUFFER, callback);
            } else {
                response.write(false, BufferUtil.toBuffer("data: tick\n\n", StandardCharsets.UTF_8), this);
            }
        }

        @Override
        public void succeeded() {
            scheduler.schedule(this::tick, ms, TimeUnit.MILLISECONDS);
        }

        @Override
        public void failed(Throwable failure) {
            callback.failed(failure);
        }
    }
}
