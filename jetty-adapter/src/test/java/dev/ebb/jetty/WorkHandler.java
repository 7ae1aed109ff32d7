package dev.ebb.jetty;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** A core-handler app: {@code /work?ms=N} answers 200 after N ms, from a scheduled task; {@code /boom} throws. */
final class WorkHandler extends Handler.Abstract.NonBlocking {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (path.equals("/boom")) {
            throw new IllegalStateException("boom");
        }
        if (!path.equals("/work")) {
            return false;
        }
        Fields query = Request.extractQueryParameters(request);
        long ms = Long.parseLong(query.getValue("ms") == null ? "0" : query.getValue("ms"));
        Content.Source.consumeAll(request, Callback.from(
                () -> request.getComponents().getScheduler().schedule(
                        () -> Content.Sink.write(response, true, "worked " + ms + " ms\n", callback), ms, TimeUnit.MILLISECONDS),
                callback::failed));
        return true;
    }
}
