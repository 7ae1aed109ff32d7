package dev.ebb.examples.undertow;

import dev.ebb.EbbConfig;
import dev.ebb.EbbConfigException;
import dev.ebb.undertow.EbbUndertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * An Undertow app with Ebb: {@code java -jar ebb-example-undertow.jar --port=8080}. {@code GET|POST /work?ms=N}
 * answers after N ms from a timer on the I/O thread; {@code /ready} and {@code /live} are Ebb's probes.
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
        EbbUndertow server = EbbUndertow.builder(config)
                .addHttpListener(port, "0.0.0.0")
                .setHandler(Main::work)
                .start();
        if (!config.enabled()) {
            // A plain Undertow app: stop the server when the JVM shuts down. With Ebb, Ebb takes SIGTERM.
            Runtime.getRuntime().addShutdownHook(new Thread(server.undertow()::stop, "undertow-stop"));
        }
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
