package dev.ebb.examples.jetty;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.EbbConfigException;
import dev.ebb.jetty.EbbJetty;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.WindowRateControl;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A plain Jetty app with Ebb: {@code java -Debb.deregistration-delay=10s -jar ebb-example-jetty.jar --port=8080}.
 * Ebb answers {@code /ready} and {@code /live}; the app answers {@code GET|POST /work?ms=N}, the server-sent
 * events of {@code GET /events} (ended when Ebb begins draining) and the WebSocket {@code GET /ws}. The port
 * speaks HTTP/1.1 and h2c (HTTP/2 with prior knowledge, or by {@code Upgrade: h2c}).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        int port = 8080;
        for (String arg : args) {
            if (arg.startsWith("--port=")) {
                port = Integer.parseInt(arg.substring("--port=".length()));
            }
        }
        EbbConfig config;
        try {
            config = EbbConfig.fromSystem(); // every -Debb.* property
        } catch (EbbConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }

        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(http);
        // Behind a load balancer that speaks h2 to its backends, every client's requests share a few connections:
        // Jetty's per-connection guard against abusive control frames (128 a second by default, meant for one
        // client) then closes them under ordinary load, failing the requests on them. Raise it.
        h2c.setRateControlFactory(new WindowRateControl.Factory(10_000));
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http), h2c);
        connector.setPort(port);
        server.addConnector(connector);
        Events events = new Events();
        WebSocketUpgradeHandler webSockets = WebSocketUpgradeHandler.from(server,
                container -> container.addMapping("/ws", (request, response, callback) -> new Ticking(server.getScheduler())));
        webSockets.setHandler(new Handler.Sequence(new Work(), events));
        server.setHandler(webSockets);
        server.setStopAtShutdown(true); // plain Jetty's stop on SIGTERM; with Ebb enabled, Ebb turns it off and stops Jetty itself
        Ebb ebb = EbbJetty.install(server, config);
        ebb.onDraining(events::endAll); // never runs with -Debb.enabled=false: then streams end only when clients go
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

    /** {@code GET /events}: a server-sent event {@code data: tick N} every second until {@link #endAll()}. */
    static final class Events extends Handler.Abstract.NonBlocking {
        private final Set<Stream> open = ConcurrentHashMap.newKeySet();

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            if (!Request.getPathInContext(request).equals("/events")) {
                return false;
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            Stream stream = new Stream(response, callback, request.getComponents().getScheduler());
            open.add(stream);
            stream.tick();
            return true;
        }

        /** Ends every open stream normally: its clients reconnect, to an instance that stays. */
        void endAll() {
            open.forEach(Stream::end);
        }

        /** One open event stream; writes never overlap: the next tick is scheduled when a write completes. */
        private final class Stream {
            private final Response response;
            private final Callback callback;
            private final Scheduler scheduler;
            private long count;
            private boolean writing;
            private boolean ending;
            private boolean done;
            private Scheduler.Task next;

            Stream(Response response, Callback callback, Scheduler scheduler) {
                this.response = response;
                this.callback = callback;
                this.scheduler = scheduler;
            }

            void tick() {
                String event;
                synchronized (this) {
                    if (done || ending) {
                        return;
                    }
                    writing = true;
                    event = "data: tick " + ++count + "\n\n";
                }
                Content.Sink.write(response, false, event, Callback.from(this::written, this::failed));
            }

            private void written() {
                boolean finish;
                synchronized (this) {
                    writing = false;
                    finish = ending;
                    if (!finish) {
                        next = scheduler.schedule(this::tick, 1, TimeUnit.SECONDS);
                    }
                }
                if (finish) {
                    finish();
                }
            }

            void end() {
                boolean now;
                synchronized (this) {
                    ending = true;
                    now = !writing;
                    if (next != null) {
                        next.cancel();
                    }
                }
                if (now) {
                    finish();
                }
            }

            private void finish() {
                synchronized (this) {
                    if (done) {
                        return;
                    }
                    done = true;
                }
                open.remove(this);
                response.write(true, BufferUtil.EMPTY_BUFFER, callback);
            }

            private void failed(Throwable failure) { // the client went away
                synchronized (this) {
                    done = true;
                }
                open.remove(this);
                callback.failed(failure);
            }
        }
    }

    /** {@code GET /ws}: echoes every text message and sends {@code tick N} every second. */
    public static final class Ticking implements Session.Listener.AutoDemanding {
        private final Scheduler scheduler;
        private volatile Session session;
        private long count;

        public Ticking(Scheduler scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            scheduler.schedule(this::tick, 1, TimeUnit.SECONDS);
        }

        private void tick() {
            Session s = session;
            if (s != null && s.isOpen()) {
                s.sendText("tick " + ++count, org.eclipse.jetty.websocket.api.Callback.NOOP);
                scheduler.schedule(this::tick, 1, TimeUnit.SECONDS);
            }
        }

        @Override
        public void onWebSocketText(String message) {
            session.sendText(message, org.eclipse.jetty.websocket.api.Callback.NOOP);
        }
    }
}
