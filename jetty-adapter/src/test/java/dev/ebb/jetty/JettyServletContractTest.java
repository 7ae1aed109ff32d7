package dev.ebb.jetty;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.junit.jupiter.api.AfterAll;

/** The adapter contract against Jetty serving an ee11 servlet context with an async servlet. */
class JettyServletContractTest extends AdapterContract {

    private static final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterAll
    static void stopTimer() {
        timer.shutdownNow();
    }

    @Override
    protected RunningServer start(EbbConfig config) throws Exception {
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new AsyncWorkServlet(), "/work");
        return JettyContractTest.startJetty(context, config);
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
}
