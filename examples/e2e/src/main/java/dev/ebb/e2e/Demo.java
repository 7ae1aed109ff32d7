package dev.ebb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What Ebb does, in about a minute: two real JVMs of an example app behind a load balancer under keep-alive
 * POST load, restarted one after the other by a real SIGTERM, as Kubernetes does in a rollout; first with
 * Ebb, then the same app with {@code -Debb.enabled=false}; then both tallies side by side, and a picture of both
 * runs ({@code ebb-demo-<app>.html}).
 *
 * <p>{@code ./demo.sh [--app=jetty|undertow|netty|spring-boot|<any example>] [--lb=builtin|haproxy]}
 */
public final class Demo {

    private static final int WORKERS = 16;
    private static final int WORK_MS = 50;
    private static final Duration DELAY = Duration.ofSeconds(3);
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final Duration SETTLE = Duration.ofSeconds(2);

    private record Tally(long ok, long socketErrors, long non2xx, List<Long> shutdownMs, long seconds,
            List<DemoChart.Sample> samples, List<DemoChart.Mark> marks) {
        long requests() {
            return ok + socketErrors + non2xx;
        }
    }

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        String appName = "jetty";
        boolean haproxy = false;
        for (String a : args) {
            if (a.startsWith("--app=")) {
                appName = a.substring(6);
            } else if (a.equals("--lb=haproxy")) {
                haproxy = true;
            } else if (!a.equals("--lb=builtin")) {
                System.err.println("usage: demo.sh [--app=jetty|undertow|netty|spring-boot|<any example>] [--lb=builtin|haproxy]");
                System.exit(2);
            }
        }
        ExampleApp app = new ExampleApp(appName);
        if (!Files.isRegularFile(app.jar())) {
            System.err.println("no " + app.jar() + "; build it with: mvn -B -DskipTests package -pl examples/" + appName + " -am");
            System.exit(2);
        }
        if (haproxy && Tools.find("haproxy").isEmpty()) {
            System.out.println("HAProxy is not installed (" + Tools.INSTALL + "); using the built-in balancer instead.");
            haproxy = false;
        }
        System.out.println("Ebb demo: two JVMs of examples/" + appName + ", a rolling restart by real SIGTERM, under load.");
        if (haproxy) {
            System.out.println("Load balancer: a real HAProxy (L7, pooled keep-alive connections reused across clients,"
                    + " no retries, health checks of /ready every 500 ms). The load: " + WORKERS
                    + " keep-alive clients sending POST /work?ms=" + WORK_MS + " to HAProxy.");
        } else {
            System.out.println("Load balancer: built into this program. It polls each instance's /ready every 250 ms,"
                    + " like a load balancer's health check, and sends " + WORKERS + " clients' POST /work?ms=" + WORK_MS
                    + " over pooled keep-alive connections to the ready ones. Like a real one it never retries.");
        }
        System.out.println();
        Tally with = run(app, haproxy, true);
        System.out.println();
        Tally without = run(app, haproxy, false);
        System.out.println();
        System.out.printf("  %-35s %11s %16s%n", "", "with Ebb", "without Ebb");
        row("seconds of load", with.seconds(), without.seconds());
        row("requests", with.requests(), without.requests());
        row("failed requests", with.socketErrors() + with.non2xx(), without.socketErrors() + without.non2xx());
        row("  connection refused/reset/closed", with.socketErrors(), without.socketErrors());
        row("  answered 5xx (or other non-2xx)", with.non2xx(), without.non2xx());
        for (int i = 0; i < with.shutdownMs().size(); i++) {
            System.out.printf("  %-35s %11s %16s%n", "s" + (i + 1) + " SIGTERM to exit",
                    with.shutdownMs().get(i) + " ms", without.shutdownMs().get(i) + " ms");
        }
        Path page = Path.of("ebb-demo-" + appName + ".html").toAbsolutePath();
        DemoChart.write(page, appName, List.of(
                new DemoChart.Run("with Ebb", with.samples(), with.marks(), summary(with)),
                new DemoChart.Run("without Ebb (-Debb.enabled=false)", without.samples(), without.marks(),
                        summary(without))));
        System.out.println();
        System.out.println("Picture of both runs (requests/s, failures/s, each instance's phases): " + page);
        System.out.println();
        System.out.println("With Ebb each instance first reports not-ready and keeps serving (every response says"
                + " Connection: close) for " + DELAY.toSeconds() + " s, so the balancer moves away; only then does it stop"
                + " accepting, finish what is in flight, and exit. Without it the instance stops at once and the"
                + " balancer's requests in flight or on pooled connections fail.");
    }

    private static String summary(Tally t) {
        return t.requests() + " requests in " + t.seconds() + " s, " + (t.socketErrors() + t.non2xx()) + " failed ("
                + t.socketErrors() + " connection refused/reset/closed, " + t.non2xx() + " non-2xx)";
    }

    private static void row(String label, long with, long without) {
        System.out.printf("  %-35s %11d %16d%n", label, with, without);
    }

    private static Tally run(ExampleApp app, boolean useHaproxy, boolean ebb) throws Exception {
        String mode = ebb ? "with Ebb" : "without Ebb (-Debb.enabled=false)";
        System.out.println("=== " + mode + " ===");
        Path dir = Files.createTempDirectory("ebb-demo-");
        List<String> options = ebb
                ? List.of("-Debb.deregistration-delay=" + DELAY.toSeconds() + "s", "-Debb.drain-timeout=10s",
                        "-Debb.load-balancer=haproxy")
                : List.of("-Debb.enabled=false");
        List<AppInstance> instances = List.of(new AppInstance(app, "s1", Ports.free(), options, dir),
                new AppInstance(app, "s2", Ports.free(), options, dir));
        Haproxy lb = null;
        LoadGenerator load = null;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        try {
            instances.forEach(AppInstance::start);
            for (AppInstance i : instances) {
                Poll.until(i.name() + " ready", Duration.ofSeconds(90), Duration.ofMillis(100), i::ready);
            }
            List<Integer> ports = instances.stream().map(AppInstance::port).toList();
            if (useHaproxy) {
                Haproxy h = lb = Haproxy.start(Haproxy.Mode.HTTP, dir, Ports.free(), ports);
                Poll.until("HAProxy routing to both", Duration.ofSeconds(20), Duration.ofMillis(50),
                        () -> h.routesTo(1) && h.routesTo(2));
                load = new LoadGenerator(List.of(h.port()), false, WORKERS, WORK_MS);
            } else {
                load = new LoadGenerator(ports, true, WORKERS, WORK_MS);
            }
            LoadGenerator l = load;
            Haproxy h = lb;
            long[] last = {0, 0};
            List<DemoChart.Sample> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
            ticker.scheduleAtFixedRate(() -> {
                long requests = l.ok() + l.failures();
                long failures = l.failures();
                samples.add(new DemoChart.Sample((System.nanoTime() - start) / 1e9, requests - last[0],
                        failures - last[1], instances.stream().map(i -> describe(i, ebb)).toList()));
                StringBuilder b = new StringBuilder(String.format("  t=%3ds %5d req/s  failed %4d (total %d)",
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), requests - last[0],
                        failures - last[1], failures));
                for (int i = 0; i < instances.size(); i++) {
                    b.append(" | ").append(describe(instances.get(i), ebb)).append(", ")
                            .append(h != null ? "HAProxy: " + h.status(i + 1) : (l.inRotation(i) ? "in rotation" : "out of rotation"));
                }
                last[0] = requests;
                last[1] = failures;
                System.out.println(b);
            }, 1, 1, TimeUnit.SECONDS);

            hold(WARM_UP);
            List<Long> shutdowns = new ArrayList<>();
            List<DemoChart.Mark> marks = new ArrayList<>();
            for (int n = 1; n <= instances.size(); n++) {
                AppInstance instance = instances.get(n - 1);
                System.out.println("  >> SIGTERM to " + instance.name() + " (pid " + instance.pid() + ")");
                marks.add(new DemoChart.Mark((System.nanoTime() - start) / 1e9, "SIGTERM " + instance.name()));
                instance.terminate();
                Duration took = instance.awaitExit(Duration.ofSeconds(60));
                shutdowns.add(took.toMillis());
                System.out.println("  >> " + instance.name() + " exited " + took.toMillis() + " ms after SIGTERM"
                        + instance.report().map(r -> "; Ebb's report: " + r).orElse("") + "; starting it again");
                instance.start();
                Poll.until(instance.name() + " ready", Duration.ofSeconds(90), Duration.ofMillis(100), instance::ready);
                int index = n;
                Poll.until("the balancer routing to " + instance.name(), Duration.ofSeconds(20), Duration.ofMillis(50),
                        () -> h != null ? h.routesTo(index) : l.inRotation(index - 1));
                hold(SETTLE);
            }
            ticker.shutdownNow();
            load.close();
            return new Tally(load.ok(), load.socketErrors(), load.non2xx(), shutdowns,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), List.copyOf(samples), marks);
        } finally {
            ticker.shutdownNow();
            if (load != null) {
                load.close();
            }
            if (lb != null) {
                lb.close();
            }
            instances.forEach(AppInstance::close);
            deleteTree(dir);
        }
    }

    private static String describe(AppInstance i, boolean ebb) {
        if (!i.alive()) {
            return i.name() + " exited";
        }
        if (i.terminating()) {
            String phase = ebb ? i.lastEbbPhase() : null;
            return i.name() + " " + (phase != null ? phase : "stopping");
        }
        return i.name() + (i.ready() ? " SERVING" : " starting");
    }

    /** Lets the load run for {@code d}: part of the show, not a wait for something. */
    private static void hold(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
