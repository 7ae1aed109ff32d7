package dev.ebb.undertow;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/** {@code GET|POST /work?ms=N}: 200 after N ms, from a task on the I/O thread; nothing blocks. */
final class WorkHandler implements HttpHandler {

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        Deque<String> ms = exchange.getQueryParameters().get("ms");
        long delay = ms == null ? 0 : Long.parseLong(ms.peekFirst());
        exchange.getRequestReceiver().receiveFullBytes((ex, body) -> ex.dispatch(SameThreadExecutor.INSTANCE,
                () -> ex.getIoThread().executeAfter(() -> ex.getResponseSender().send("worked " + delay + " ms\n"),
                        delay, TimeUnit.MILLISECONDS)));
    }
}
