package dev.ebb.e2e;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One scenario: two instances of an example app behind a real load balancer under wrk POST load; each
 * instance in turn gets a real SIGTERM and exits; the first is started again on its port and becomes ready
 * (and routed to) before the second goes. The second is not started again: a new instance joining under load
 * was shown by the first, and the load runs on for {@link #SETTLE} after the second exits, so that a failure
 * its shutdown causes late still counts.
 */
final class RollingRestart {

    /** {@code /work?ms=} of every request: long enough that requests are in flight at every SIGTERM. */
    static final int WORK_MS = 50;
    static final int THREADS = 2;
    static final int CONNECTIONS = 16;
    /** Well above the longest load balancer lag of the set-ups (health checks: 2 x 500 ms; harness: 1.5 s + reload). */
    static final Duration DEREGISTRATION_DELAY = Duration.ofSeconds(4);
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    /** Load before the first SIGTERM: every wrk connection is open and requests flow through both instances. */
    static final Duration WARM_UP = Duration.ofSeconds(1);
    static final Duration SETTLE = Duration.ofSeconds(1);
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /**
     * What happened.
     *
     * @param load what wrk counted
     * @param shutdowns per terminated instance: time from SIGTERM to exit, exit status and Ebb's report
     * @param reports Ebb's report line of each shutdown that logged one
     */
    record Outcome(Wrk.Result load, List<String> shutdowns, List<String> reports) {
    }

    private RollingRestart() {
    }

    static List<String> jvmOptions(Setup setup, boolean ebb) {
        if (!ebb) {
            return List.of("-Debb.enabled=false");
        }
        return List.of("-Debb.deregistration-delay=" + DEREGISTRATION_DELAY.toMillis() + "ms",
                "-Debb.drain-timeout=" + DRAIN_TIMEOUT.toMillis() + "ms",
                "-Debb.load-balancer=" + setup.preset);
    }

    static Outcome run(ExampleApp app, Setup setup, boolean ebb, Path dir) {
        List<AppInstance> instances = List.of(
                new AppInstance(app, "s1", Ports.free(), jvmOptions(setup, ebb), dir),
                new AppInstance(app, "s2", Ports.free(), jvmOptions(setup, ebb), dir));
        List<Integer> ports = instances.stream().map(AppInstance::port).toList();
        int lbPort = Ports.free();
        Haproxy haproxy = null;
        Nginx nginx = null;
        Wrk wrk = null;
        try {
            instances.forEach(AppInstance::start);
            for (AppInstance i : instances) {
                awaitReady(i);
            }
            if (setup == Setup.NGINX) {
                nginx = Nginx.start(dir, lbPort, ports);
            } else {
                Haproxy h = haproxy = Haproxy.start(setup.haproxyMode(), dir, lbPort, ports);
                await("HAProxy routing to both").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                        .until(() -> h.routesTo(1) && h.routesTo(2));
            }
            wrk = Wrk.start(dir, "http://127.0.0.1:" + lbPort + "/work?ms=" + WORK_MS, THREADS, CONNECTIONS,
                    setup.clientClosesEach);
            hold(WARM_UP, wrk);

            List<String> shutdowns = new ArrayList<>();
            List<String> reports = new ArrayList<>();
            for (int n = 1; n <= instances.size(); n++) {
                AppInstance instance = instances.get(n - 1);
                instance.terminate();
                if (setup == Setup.HAPROXY_TCP) {
                    hold(Setup.LAG, wrk);
                    haproxy.disable(n);
                } else if (setup == Setup.NGINX) {
                    hold(Setup.LAG, wrk);
                    List<Integer> others = new ArrayList<>(ports);
                    others.remove(Integer.valueOf(instance.port()));
                    nginx.route(others);
                }
                Duration took = instance.awaitExit(Duration.ofSeconds(60));
                instance.report().ifPresent(reports::add);
                shutdowns.add(String.format("%s: SIGTERM to exit %d ms, exit status %d%s", instance.name(),
                        took.toMillis(), instance.exitValue(), instance.report().map(r -> "; ebb: " + r).orElse("")));
                if (n == instances.size()) {
                    hold(SETTLE, wrk);
                    break;
                }
                long starting = System.nanoTime();
                instance.start();
                awaitReady(instance);
                long ready = System.nanoTime();
                final int index = n;
                if (setup == Setup.HAPROXY_TCP) {
                    haproxy.enable(n);
                } else if (setup == Setup.NGINX) {
                    nginx.route(ports);
                } else {
                    Haproxy h = haproxy;
                    await("HAProxy routing to s" + n + " again").atMost(Duration.ofSeconds(20))
                            .pollInterval(Duration.ofMillis(50)).until(() -> h.routesTo(index));
                }
                shutdowns.add(String.format("%s: started again, ready in %d ms, routed to %d ms later", instance.name(),
                        Duration.ofNanos(ready - starting).toMillis(), Duration.ofNanos(System.nanoTime() - ready).toMillis()));
                hold(SETTLE, wrk);
            }
            Wrk.Result result = wrk.stop();
            return new Outcome(result, shutdowns, reports);
        } finally {
            if (wrk != null) {
                wrk.close();
            }
            if (haproxy != null) {
                haproxy.close();
            }
            if (nginx != null) {
                nginx.close();
            }
            instances.forEach(AppInstance::close);
        }
    }

    static void awaitReady(AppInstance instance) {
        try {
            await(instance.name() + " ready").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .failFast(instance.name() + " exited during start-up", () -> !instance.alive())
                    .until(instance::ready);
        } catch (RuntimeException e) {
            throw new AssertionError(instance.name() + " did not become ready (" + e.getMessage() + "); its log:\n"
                    + instance.logTail(40), e);
        }
    }

    /** Keeps the load running for {@code d} (a part of the workload, not a wait for something). */
    static void hold(Duration d, Wrk wrk) {
        await().pollDelay(d).atMost(d.plusSeconds(5)).failFast("wrk exited", () -> !wrk.alive()).until(() -> true);
    }
}
