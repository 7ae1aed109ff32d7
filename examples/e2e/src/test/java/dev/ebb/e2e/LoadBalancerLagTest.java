package dev.ebb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Adaptive deregistration against real load balancers that let go late: with a 10 s delay, HAProxy (L7, its
 * backend taken out on the runtime API, like an ALB target deregistered by a controller) and nginx (the upstream
 * rewritten and reloaded, like ingress-nginx) stop routing to the terminating instance 1, 3 and 6 s after its
 * SIGTERM, under wrk load. Each instance must leave DEREGISTERING within 1.5 s of the moment its load balancer let
 * go, with zero failed requests; and an instance that got only a request every 2 s keeps the full delay.
 *
 * <p>One app ({@code -Debb.e2e.lag.apps=jetty} by default; a comma-separated list runs each, e.g.
 * {@code jetty,undertow,netty,spring-boot}), both load balancers, one shutdown per lag: about 90 s per app.
 * {@code -Debb.e2e.lag.adaptive=false} runs the same with {@code ebb.adaptive-deregistration=false}, for the
 * comparison in {@code BENCHMARKS.md}: then every instance must keep the full delay.
 */
class LoadBalancerLagTest {

    static final Duration DELAY = Duration.ofSeconds(10);
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    static final List<Duration> LAGS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(6));
    /** How soon after the load balancer let go the instance must leave DEREGISTERING. */
    static final Duration WITHIN = Duration.ofMillis(1500);
    /**
     * Dense traffic before each SIGTERM: more than the 5 s of history Ebb needs before a silence proves anything.
     * {@code -Debb.e2e.lag.history=65} (seconds) lets a freshly started JVM's own pauses leave the one-minute history
     * first (the Spring Boot example needs it to meet the 1.5 s bound; see the e2e README).
     */
    static final Duration HISTORY = Duration.ofSeconds(Long.getLong("ebb.e2e.lag.history", 6));
    static final Duration SPARSE_EVERY = Duration.ofSeconds(2);
    /** Sparse traffic before its SIGTERM: enough requests (20) that only their gaps decide. */
    static final Duration SPARSE_HISTORY = Duration.ofSeconds(44);
    static final int WORK_MS = 20;
    static final boolean ADAPTIVE = !"false".equals(System.getProperty("ebb.e2e.lag.adaptive"));

    private static final Pattern DEREGISTERING = Pattern.compile("^deregistering (\\d+)(ms|s) ");
    private static final Pattern LET_GO = Pattern.compile("load balancer let go ([^;]*)");

    /** One shutdown: how long after SIGTERM the load balancer let go, and what the instance reported. */
    record Shutdown(String lb, Duration lag, Duration letGo, Duration exit, String report) {
        Duration deregistering() {
            Matcher m = DEREGISTERING.matcher(report);
            if (!m.find()) {
                throw new AssertionError("no deregistering time in the report: " + report);
            }
            long n = Long.parseLong(m.group(1));
            return m.group(2).equals("s") ? Duration.ofSeconds(n) : Duration.ofMillis(n);
        }

        String figures() {
            Matcher m = LET_GO.matcher(report);
            return String.format("%s, lag %ds: harness removed the backend %d ms after SIGTERM; deregistering %d ms;"
                    + " SIGTERM to exit %d ms; ebb: load balancer let go %s", lb, lag.toSeconds(), letGo.toMillis(),
                    deregistering().toMillis(), exit.toMillis(), m.find() ? m.group(1) : "?");
        }
    }

    static Stream<ExampleApp> apps() {
        return Stream.of(System.getProperty("ebb.e2e.lag.apps", "jetty").split(",")).map(String::trim)
                .filter(n -> !n.isEmpty()).map(ExampleApp::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apps")
    void deregistrationEndsSoonAfterTheLoadBalancerLetsGoButSparseTrafficKeepsTheFullDelay(ExampleApp app,
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        E2e.needTools("haproxy", "nginx", "wrk");
        E2e.needApp(app);

        AppInstance sparse = new AppInstance(app, "sparse", Ports.free(), options("haproxy"), dir);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sparse-traffic");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger sparseFailures = new AtomicInteger();
        List<Shutdown> shutdowns = new ArrayList<>();
        Wrk.Result haproxyLoad;
        Wrk.Result nginxLoad;
        Duration sparseExit;
        try {
            sparse.start();
            RollingRestart.awaitReady(sparse);
            long sparseSince = System.nanoTime();
            ticker.scheduleAtFixedRate(() -> {
                if (Http.status(sparse.port(), "/work?ms=0") != 200) {
                    sparseFailures.incrementAndGet();
                }
            }, 0, SPARSE_EVERY.toMillis(), TimeUnit.MILLISECONDS);

            haproxyLoad = lags(app, "haproxy", dir.resolve("haproxy"), shutdowns);

            // The sparse instance: SIGTERM once it has seen enough requests; the load balancer lets go at once.
            long left = SPARSE_HISTORY.toNanos() - (System.nanoTime() - sparseSince);
            if (left > 0) { // part of the workload (its requests keep coming), not a wait for something
                Duration d = Duration.ofNanos(left);
                await().pollDelay(d).atMost(d.plusSeconds(5)).until(() -> true);
            }
            ticker.shutdown();
            assertThat(ticker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            sparse.terminate();

            nginxLoad = lags(app, "nginx", dir.resolve("nginx"), shutdowns);
            sparseExit = sparse.awaitExit(Duration.ofSeconds(60));
        } finally {
            ticker.shutdownNow();
            sparse.close();
        }

        StringBuilder b = new StringBuilder();
        b.append(String.format("[e2e] load balancer lag, %s, delay %ds, %s: haproxy %s; nginx %s%n", app,
                DELAY.toSeconds(), ADAPTIVE ? "adaptive" : "fixed", haproxyLoad, nginxLoad));
        shutdowns.forEach(s -> b.append("[e2e]     ").append(s.figures()).append('\n'));
        String sparseReport = sparse.report().orElse("(no report)");
        b.append(String.format("[e2e]     sparse (a request every %ds, none after SIGTERM): %s%n",
                SPARSE_EVERY.toSeconds(), sparse.logLine("DEREGISTERING").orElse("?")));
        b.append("[e2e]     sparse: ebb: ").append(sparseReport).append('\n');
        System.out.print(b);

        assertThat(haproxyLoad.failures()).as("failed requests behind haproxy: " + haproxyLoad).isZero();
        assertThat(nginxLoad.failures()).as("failed requests behind nginx: " + nginxLoad).isZero();
        assertThat(shutdowns).hasSize(2 * LAGS.size()).allSatisfy(s -> {
            assertThat(s.report()).as(s.figures()).contains(" 0 aborted");
            if (ADAPTIVE) {
                assertThat(s.report()).as(s.figures()).contains("ended early");
                assertThat(s.deregistering()).as(s.figures()).isLessThanOrEqualTo(s.letGo().plus(WITHIN))
                        .isGreaterThanOrEqualTo(s.lag());
            } else {
                assertThat(s.deregistering()).as(s.figures()).isGreaterThanOrEqualTo(DELAY);
            }
        });
        assertThat(sparseFailures).hasValue(0);
        assertThat(new Shutdown("sparse", Duration.ZERO, Duration.ZERO, sparseExit, sparseReport).deregistering())
                .as(sparseReport).isGreaterThanOrEqualTo(DELAY);
        if (ADAPTIVE) {
            assertThat(sparse.logLine("DEREGISTERING")).hasValueSatisfying(l ->
                    assertThat(l).contains("full delay: traffic too sparse or bursty"));
        }
    }

    private static List<String> options(String preset) {
        return List.of("-Debb.adaptive-deregistration=" + ADAPTIVE,
                "-Debb.deregistration-delay=" + DELAY.toSeconds() + "s",
                "-Debb.drain-timeout=" + DRAIN_TIMEOUT.toSeconds() + "s",
                "-Debb.load-balancer=" + preset);
    }

    /** Two instances behind {@code lb}; s1 is terminated once per lag, taken out of rotation that long after. */
    @SuppressWarnings("try") // the load balancer is a resource only to be closed
    private static Wrk.Result lags(ExampleApp app, String lb, Path dir, List<Shutdown> out) throws Exception {
        Files.createDirectories(dir);
        try (AppInstance s1 = new AppInstance(app, "s1", Ports.free(), options(lb), dir);
                AppInstance s2 = new AppInstance(app, "s2", Ports.free(), options(lb), dir)) {
            List<Integer> both = List.of(s1.port(), s2.port());
            int lbPort = Ports.free();
            s1.start();
            s2.start();
            RollingRestart.awaitReady(s1);
            RollingRestart.awaitReady(s2);
            boolean isNginx = lb.equals("nginx");
            Nginx nginx = isNginx ? Nginx.start(dir, lbPort, both) : null;
            Haproxy haproxy = isNginx ? null : Haproxy.start(Haproxy.Mode.HTTP_DRIVEN, dir, lbPort, both);
            // Behind nginx the clients close each connection (see Setup.NGINX: a reload closes idle client ones).
            try (AutoCloseable balancer = isNginx ? nginx : haproxy;
                    Wrk wrk = Wrk.start(dir, "http://127.0.0.1:" + lbPort + "/work?ms=" + WORK_MS, 2, 8, isNginx)) {
                RollingRestart.hold(HISTORY, wrk);
                for (int i = 0; i < LAGS.size(); i++) {
                    Duration lag = LAGS.get(i);
                    long sigterm = System.nanoTime();
                    s1.terminate();
                    RollingRestart.hold(lag, wrk);
                    if (isNginx) {
                        nginx.route(List.of(s2.port()));
                    } else {
                        haproxy.disable(1);
                    }
                    Duration letGo = Duration.ofNanos(System.nanoTime() - sigterm);
                    Duration exit = s1.awaitExit(Duration.ofSeconds(60));
                    out.add(new Shutdown(lb, lag, letGo, exit, s1.report().orElse("(no report)")));
                    if (i == LAGS.size() - 1) {
                        break;
                    }
                    s1.start();
                    RollingRestart.awaitReady(s1);
                    if (isNginx) {
                        nginx.route(both);
                    } else {
                        haproxy.enable(1);
                    }
                    RollingRestart.hold(HISTORY, wrk);
                }
                return wrk.stop();
            }
        }
    }
}
