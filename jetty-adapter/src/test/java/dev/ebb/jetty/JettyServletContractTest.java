package dev.ebb.jetty;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.ee11.websocket.server.JettyWebSocketServlet;
import org.eclipse.jetty.ee11.websocket.server.JettyWebSocketServletFactory;
import org.eclipse.jetty.ee11.websocket.server.config.JettyWebSocketServletContainerInitializer;

/**
 * The adapter contract against Jetty serving an ee11 servlet context: async servlets, Jetty's WebSocket
 * servlet on {@code /ws}, HTTP/1.1 and h2c on one port.
 */
class JettyServletContractTest extends AdapterContract {

    /** The servlets' timer, shared by this class and its TLS subclass; a daemon thread, gone with the JVM. */
    private static final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "servlet-timer");
        t.setDaemon(true);
        return t;
    });

    @Override
    protected RunningServer start(EbbConfig config) throws Exception {
        EventsServlet events = new EventsServlet();
        return TestServers.start(server -> {
            ServletContextHandler context = new ServletContextHandler("/");
            context.addServlet(new AsyncWorkServlet(), "/work");
            context.addServlet(new EchoServlet(), "/echo");
            context.addServlet(new ThrowServlet(), "/throw");
            context.addServlet(new ServletHolder(events), "/events");
            context.addServlet(new ServletHolder(new EchoWebSocketServlet()), "/ws");
            JettyWebSocketServletContainerInitializer.configure(context, null);
            return context;
        }, config, tls(), events::drain);
    }

    @Override
    protected Optional<Duration> requestIdleTimeout() {
        return Optional.of(TestServers.REQUEST_IDLE_TIMEOUT);
    }

    /** {@code /work?ms=N}: reads the body, then completes the async response N ms later from a timer. */
    static final class AsyncWorkServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            request.getInputStream().readAllBytes();
            long ms = Long.parseLong(request.getParameter("ms") == null ? "0" : request.getParameter("ms"));
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            timer.schedule(() -> {
                try {
                    response.setContentType("text/plain");
                    response.getWriter().println("worked " + ms + " ms");
                } catch (IOException e) {
                    // the client went away
                } finally {
                    async.complete();
                }
            }, ms, TimeUnit.MILLISECONDS);
        }

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            doGet(request, response);
        }
    }

    /** {@code POST /echo}: the request body back. */
    static final class EchoServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            byte[] body = request.getInputStream().readAllBytes();
            response.setContentType("text/plain");
            response.getOutputStream().write(body);
        }
    }

    /** {@code /throw}: the application fails. */
    static final class ThrowServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            throw new IllegalStateException("the application failed");
        }
    }

    /** {@code /events?ms=N}: an async event stream, ended at the first tick after {@link #drain()}. */
    static final class EventsServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private volatile boolean draining;

        void drain() {
            draining = true;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            long ms = Long.parseLong(request.getParameter("ms") == null ? "1000" : request.getParameter("ms"));
            response.setContentType("text/event-stream");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            PrintWriter out = response.getWriter();
            timer.execute(new Runnable() {
                @Override
                public void run() {
                    if (draining) {
                        async.complete();
                        return;
                    }
                    out.print("data: tick\n\n");
                    out.flush();
                    if (out.checkError()) {
                        async.complete();
                    } else {
                        timer.schedule(this, ms, TimeUnit.MILLISECONDS);
                    }
                }
            });
        }
    }

    /** {@code /ws[?push=N]}: {@link EchoSocket} through Jetty's WebSocket servlet. */
    static final class EchoWebSocketServlet extends JettyWebSocketServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void configure(JettyWebSocketServletFactory factory) {
            factory.setCreator((request, response) -> EchoSocket.of(request.getParameterMap().get("push")));
        }
    }
}
