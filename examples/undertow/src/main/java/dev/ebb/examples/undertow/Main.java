package dev.ebb.examples.undertow;

import dev.ebb.EbbConfig;
import dev.ebb.EbbConfigException;
import dev.ebb.undertow.EbbUndertow;
import io.undertow.Handlers;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An Undertow app with Ebb: {@code java -jar ebb-example-undertow.jar --port=8080}. {@code GET|POST /work?ms=N}
 * answers after N ms from a timer on the I/O thread; {@code GET /events} streams a server-sent event every second
 * until Ebb begins draining; {@code GET /ws} is a WebSocket that echoes and ticks every second; {@code /ready} and
 * {@code /live} are Ebb's probes. The port speaks HTTP/1.1 and h2c (prior knowledge or {@code Upgrade: h2c}).
 * With {@code -Debb.enabled=false} it is a plain Undertow app that a shutdown hook stops on SIGTERM.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jboss.logging.provider", System.getProperty("org.jboss.logging.provider", "slf4j"));
        int port = 8080;
        for (String arg : args) {
            if (arg.startsWith("--port=")) {
                port = Integer.parseInt(arg.substring("--port=".length()));
            }
        }
        EbbConfig config;
        try {
            config = EbbConfig.fromSystem();
        } catch (EbbConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        ServerSentEventHandler events = Handlers.serverSentEvents();
        Set<WebSocketChannel> sockets = ConcurrentHashMap.newKeySet();
        // Undertow's Handlers.websocket, through which Ebb can also tell each socket 1001 when it begins draining
        HttpHandler webSockets = EbbUndertow.websocket((exchange, channel) -> {
            sockets.add(channel);
            channel.addCloseTask(sockets::remove);
            channel.getReceiveSetter().set(new AbstractReceiveListener() {
                @Override
                protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
                    WebSockets.sendText(message.getData(), ch, null);
                }
            });
            channel.resumeReceives();
        });
        EbbUndertow server = EbbUndertow.builder(config)
                .addHttpListener(port, "0.0.0.0")
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true) // h2c: prior knowledge and Upgrade
                .setHandler(Handlers.path(Main::work).addExactPath("/events", events).addExactPath("/ws", webSockets))
                .start();
        // Ends the event streams so that their clients reconnect elsewhere; never runs with -Debb.enabled=false.
        server.ebb().onDraining(() -> events.getConnections().forEach(ServerSentEventConnection::shutdown));
        tickEverySecond(events, sockets);
        if (!config.enabled()) {
            // A plain Undertow app: stop the server when the JVM shuts down. With Ebb, Ebb takes SIGTERM.
            Runtime.getRuntime().addShutdownHook(new Thread(server.undertow()::stop, "undertow-stop"));
        }
    }

    /** Sends {@code tick N} to every open event stream and WebSocket once a second. */
    private static void tickEverySecond(ServerSentEventHandler events, Set<WebSocketChannel> sockets) {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ticker");
            t.setDaemon(true);
            return t;
        });
        AtomicLong count = new AtomicLong();
        ticker.scheduleAtFixedRate(() -> {
            String tick = "tick " + count.incrementAndGet();
            for (ServerSentEventConnection c : events.getConnections()) {
                c.send(tick);
            }
            for (WebSocketChannel ch : sockets) {
                WebSockets.sendText(tick, ch, null);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    private static void work(HttpServerExchange exchange) {
        if (!exchange.getRequestPath().equals("/work")) {
            exchange.setStatusCode(404);
            exchange.endExchange();
            return;
        }
        Deque<String> ms = exchange.getQueryParameters().get("ms");
        long delay = ms == null ? 0 : Long.parseLong(ms.peekFirst());
        exchange.getRequestReceiver().receiveFullBytes((ex, body) -> ex.dispatch(SameThreadExecutor.INSTANCE,
                () -> ex.getIoThread().executeAfter(() -> {
                    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                    ex.getResponseSender().send("worked " + delay + " ms\n");
                }, delay, TimeUnit.MILLISECONDS)));
    }
}
