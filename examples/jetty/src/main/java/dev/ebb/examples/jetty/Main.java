package dev.ebb.examples.jetty;

import dev.ebb.EbbConfig;
import dev.ebb.jetty.EbbJetty;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A plain Jetty app with Ebb: {@code java -Debb.deregistration-delay=10s -jar ebb-example-jetty.jar --port=8080}.
 * Ebb answers {@code /ready} and {@code /live}; the app answers {@code GET|POST /work?ms=N}.
 */
public final class Main {

    public static void main(String[] args) throws Exception {
        int port = 8080;
        for (String arg : args) {
            if (arg.startsWith("--port=")) {
                port = Integer.parseInt(arg.substring("--port=".length()));
            }
        }
        EbbConfig config = EbbConfig.fromSystem(); // every -Debb.* property; a bad value stops start-up here

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Work());
        server.setStopAtShutdown(true); // plain Jetty's stop on SIGTERM; with Ebb enabled, Ebb turns it off and stops Jetty itself
        EbbJetty.install(server, config);
        server.start();
        server.join();
    }

    /** {@code /work?ms=N}: reads the body, then answers 200 after N ms from Jetty's scheduler, holding no thread. */
    static final class Work extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            if (!Request.getPathInContext(request).equals("/work")) {
                return false;
            }
            String ms = Request.extractQueryParameters(request).getValue("ms");
            long delay = ms == null ? 0 : Long.parseLong(ms);
            Content.Source.consumeAll(request, Callback.from(
                    () -> request.getComponents().getScheduler().schedule(
                            () -> Content.Sink.write(response, true, "worked " + delay + " ms\n", callback),
                            delay, TimeUnit.MILLISECONDS),
                    callback::failed));
            return true;
        }
    }
}
