package dev.ebb.undertow;

import dev.ebb.Ebb;
import io.undertow.Handlers;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The application the contract suite expects: {@code /work}, {@code /echo}, {@code /throw},
 * {@code /events} (SSE ended when DRAINING begins) and {@code /ws} (echo WebSocket, optional push).
 * {@code /ws} is served through {@link EbbUndertow#websocket} (the one-line opt-in), or through
 * Undertow's own {@link Handlers#websocket} for an application that did not opt in.
 */
final class TestApp {

    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final boolean optIn;

    TestApp(boolean optIn) {
        this.optIn = optIn;
    }

    /** Ends the event streams when DRAINING begins. */
    void attach(Ebb ebb) {
        ebb.onDraining(() -> streams.forEach(s -> s.ending = true));
    }

    HttpHandler handler() {
        WebSocketConnectionCallback echo = TestApp::echo;
        HttpHandler ws = optIn ? EbbUndertow.websocket(echo) : Handlers.websocket(echo);
        HttpHandler work = new WorkHandler();
        return Handlers.path(work)
                .addExactPath("/work", work)
                .addExactPath("/echo", ex -> ex.getRequestReceiver().receiveFullBytes(
                        (e, body) -> e.getResponseSender().send(ByteBuffer.wrap(body))))
                .addExactPath("/throw", ex -> {
                    throw new IllegalStateException("thrown by the application");
                })
                .addExactPath("/events", this::events)
                .addExactPath("/ws", ws);
    }

    private static void echo(io.undertow.websockets.spi.WebSocketHttpExchange exchange, WebSocketChannel channel) {
        channel.getReceiveSetter().set(new AbstractReceiveListener() {
            @Override
            protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
                WebSockets.sendText(message.getData(), ch, null);
            }
        });
        channel.resumeReceives();
        Map<String, List<String>> params = exchange.getRequestParameters();
        List<String> push = params.get("push");
        if (push != null && !push.isEmpty()) {
            long ms = Long.parseLong(push.get(0));
            pushTick(channel, ms);
        }
    }

    private static void pushTick(WebSocketChannel channel, long ms) {
        channel.getIoThread().executeAfter(() -> {
            if (channel.isOpen() && !channel.isCloseFrameSent()) {
                WebSockets.sendText("tick", channel, null);
                pushTick(channel, ms);
            }
        }, ms, TimeUnit.MILLISECONDS);
    }

    /** {@code /events?ms=N}: one {@code data: tick} event every N ms until DRAINING begins. */
    private void events(HttpServerExchange exchange) {
        Deque<String> ms = exchange.getQueryParameters().get("ms");
        long every = ms == null ? 100 : Long.parseLong(ms.peekFirst());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/event-stream");
        Stream stream = new Stream(exchange, every);
        streams.add(stream);
        exchange.dispatch(SameThreadExecutor.INSTANCE, stream::tick);
    }

    private final class Stream implements IoCallback {
        final HttpServerExchange exchange;
        final long every;
        final Sender sender;
        volatile boolean ending;

        Stream(HttpServerExchange exchange, long every) {
            this.exchange = exchange;
            this.every = every;
            this.sender = exchange.getResponseSender();
        }

        void tick() {
            if (ending) {
                streams.remove(this);
                exchange.endExchange();
                return;
            }
            sender.send("data: tick\n\n", this);
        }

        @Override
        public void onComplete(HttpServerExchange ex, Sender s) {
            ex.getIoThread().executeAfter(this::tick, every, TimeUnit.MILLISECONDS);
        }

        @Override
        public void onException(HttpServerExchange ex, Sender s, IOException e) {
            streams.remove(this);
            IoCallback.END_EXCHANGE.onException(ex, s, e);
        }
    }
}
