package dev.ebb.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ebb.EbbConfig;
import dev.ebb.contract.RawHttp;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures (not times) what Ebb allocates per request: bytes allocated by all threads over keep-alive
 * requests, with Ebb and without, same run, interleaved. Prints the difference; fails only far above it.
 * About a minute on a small machine, so opt-in: {@code -Debb.measure=true}.
 */
@EnabledIfSystemProperty(named = "ebb.measure", matches = "true")
class AllocationMeasurementTest {

    private static final int REQUESTS = 20_000;

    @Test
    void ebbAllocatesOneSmallObjectPerRequest() throws Exception {
        measure(null);
    }

    @Test
    void keepAliveAboveTheConnectorsIdleTimeoutAddsOnlyJettysRescheduling() throws Exception {
        // Each keep-alive request moves the connection from Ebb's keep-alive back to the connector's timeout:
        // Jetty reschedules its idle check when a timeout is lowered.
        measure(Duration.ofSeconds(60));
    }

    private static void measure(Duration loadBalancer) throws Exception {
        Server plain = start(false, null);
        Server withEbb = start(true, loadBalancer);
        try {
            long[] plainBytes = new long[3];
            long[] ebbBytes = new long[3];
            for (int round = 0; round < 4; round++) { // round 0 warms up the JIT
                long p = bytesPerRequest(plain);
                long e = bytesPerRequest(withEbb);
                if (round > 0) {
                    plainBytes[round - 1] = p;
                    ebbBytes[round - 1] = e;
                }
            }
            Arrays.sort(plainBytes);
            Arrays.sort(ebbBytes);
            long extra = ebbBytes[1] - plainBytes[1];
            System.out.printf("[measure] bytes allocated per keep-alive request (median of 3 x %d%s): plain Jetty %d,"
                    + " with Ebb %d, difference %d%n", REQUESTS, loadBalancer == null ? "" : ", load balancer " + loadBalancer,
                    plainBytes[1], ebbBytes[1], extra);
            assertThat(extra).as("per-request allocation added by Ebb").isLessThan(512);
        } finally {
            plain.stop();
            withEbb.stop();
        }
    }

    private static Server start(boolean ebb, Duration loadBalancer) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Sink.write(response, true, "ok", callback);
                return true;
            }
        });
        if (ebb) {
            EbbConfig.Builder config = EbbConfig.builder().kubernetes(false).handleSignals(false).deregistrationDelay(Duration.ZERO);
            if (loadBalancer != null) {
                config.loadBalancerIdleTimeout(loadBalancer);
            }
            EbbJetty.install(server, config.build());
        }
        server.start();
        return server;
    }

    private static long bytesPerRequest(Server server) throws Exception {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        try (RawHttp c = RawHttp.connect(port)) {
            c.get("/x");
            long before = allocatedBytes();
            for (int i = 0; i < REQUESTS; i++) {
                c.get("/x");
            }
            return (allocatedBytes() - before) / REQUESTS;
        }
    }

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(0, bytes);
        }
        return sum;
    }
}
