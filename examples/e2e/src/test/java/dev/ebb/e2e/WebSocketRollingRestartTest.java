package dev.ebb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * WebSockets through HAProxy (the {@code haproxy-http} set-up; WebSockets are tunnels there, with a long tunnel
 * timeout) to two instances of an example app's {@code /ws}, during a rolling restart by real SIGTERM. With Ebb,
 * every socket on a terminating instance is told 1001 (going away) when it begins draining, after the load
 * balancer has stopped routing to it, so the client reconnects at once, to the other instance: no abnormal
 * closure (1006), no failed handshake. Without Ebb the bare server's stop shows what a client sees then.
 */
class WebSocketRollingRestartTest {

    static final int SOCKETS = 20;

    /** Apps whose adapter tells WebSockets 1001 at DRAINING. */
    private static final List<String> WITH_EBB = RollingRestartTest.BOOT3_ALL
            ? List.of("jetty", "undertow", "netty", "spring-boot", "spring-boot3", "spring-boot3-jetty",
                    "spring-boot3-undertow", "spring-boot3-reactor-netty")
            : List.of("jetty", "undertow", "netty", "spring-boot");
    private static final List<String> WITHOUT_EBB = List.of("netty");

    private static Stream<ExampleApp> apps(List<String> names) {
        String only = System.getProperty("ebb.e2e.apps", "");
        return names.stream().filter(n -> only.isBlank() || List.of(only.split(",")).contains(n)).map(ExampleApp::new);
    }

    static Stream<ExampleApp> withEbb() {
        return apps(WITH_EBB);
    }

    static Stream<ExampleApp> withoutEbb() {
        return apps(WITHOUT_EBB);
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("withEbb")
    void everySocketIsToldGoingAwayAndReconnectsToTheOtherInstance(ExampleApp app,
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        E2e.needTools("haproxy");
        E2e.needApp(app);
        Outcome outcome = run(app, true, dir);
        print(app, "with Ebb", outcome);
        WebSocketFleet.Figures f = outcome.figures();
        assertThat(f.abnormal()).as("abnormal closures (1006) with Ebb: " + f).isZero();
        assertThat(f.failedHandshakes()).as("failed handshakes with Ebb: " + f).isZero();
        assertThat(f.otherCloses()).as("closes other than 1001 with Ebb: " + f).isZero();
        assertThat(f.goingAway()).as("sockets closed with 1001: every socket at least once: " + f)
                .isGreaterThanOrEqualTo(SOCKETS);
        assertThat(f.reconnects()).as("reconnects: one per 1001: " + f).isEqualTo(f.goingAway());
        assertThat(outcome.onTheOther()).as("sockets on the other instance after each shutdown")
                .containsOnly(SOCKETS);
        assertThat(outcome.reports()).as("Ebb's report of each shutdown").hasSize(2)
                .allSatisfy(r -> assertThat(r).contains(" 0 aborted").doesNotContain("timed out"));
        List<int[]> closed = outcome.reports().stream().map(WebSocketRollingRestartTest::webSockets).toList();
        assertThat(closed.stream().mapToInt(c -> c[0]).sum()).as("WebSockets Ebb reports closed with 1001, in "
                + outcome.reports()).isEqualTo(f.goingAway());
        assertThat(closed.stream().mapToInt(c -> c[1]).sum()).as("WebSockets Ebb reports aborted").isZero();
    }

    /** The WebSockets a report line says were closed with 1001 and aborted ({@code 0, 0} when it names none). */
    private static int[] webSockets(String report) {
        Matcher m = Pattern.compile("(\\d+) WebSockets closed with 1001, (\\d+) aborted").matcher(report);
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : new int[2];
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("withoutEbb")
    void withoutEbbSocketsEndAbnormallyOrFailToReconnect(ExampleApp app,
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        E2e.needTools("haproxy");
        E2e.needApp(app);
        Outcome outcome = run(app, false, dir);
        print(app, "without Ebb", outcome);
        WebSocketFleet.Figures f = outcome.figures();
        assertThat(f.abnormal() + f.failedHandshakes())
                .as("abnormal closures and failed handshakes without Ebb: " + f).isPositive();
    }

    /**
     * What happened.
     *
     * @param figures what the clients counted
     * @param onTheOther after each shutdown, the sockets HAProxy had open to the other instance
     * @param shutdowns per terminated instance: SIGTERM to exit, exit status and Ebb's report
     * @param reports Ebb's report line of each shutdown that logged one
     */
    record Outcome(WebSocketFleet.Figures figures, List<Integer> onTheOther, List<String> shutdowns,
            List<String> reports) {
    }

    static Outcome run(ExampleApp app, boolean ebb, Path dir) {
        List<String> options = RollingRestart.jvmOptions(Setup.HAPROXY_HTTP, ebb);
        List<AppInstance> instances = List.of(new AppInstance(app, "s1", Ports.free(), options, dir),
                new AppInstance(app, "s2", Ports.free(), options, dir));
        List<Integer> ports = instances.stream().map(AppInstance::port).toList();
        Haproxy haproxy = null;
        WebSocketFleet fleet = null;
        try {
            instances.forEach(AppInstance::start);
            for (AppInstance i : instances) {
                RollingRestart.awaitReady(i);
            }
            Haproxy h = haproxy = Haproxy.start(Haproxy.Mode.HTTP, dir, Ports.free(), ports);
            await("HAProxy routing to both").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> h.routesTo(1) && h.routesTo(2));
            WebSocketFleet f = fleet = new WebSocketFleet(URI.create("ws://127.0.0.1:" + h.port() + "/ws"), SOCKETS);
            await("every socket open and echoing").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(f::allOpen);
            await("a tick on the sockets").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> f.figures().ticks() >= SOCKETS);

            List<Integer> onTheOther = new ArrayList<>();
            List<String> shutdowns = new ArrayList<>();
            List<String> reports = new ArrayList<>();
            for (int n = 1; n <= instances.size(); n++) {
                AppInstance instance = instances.get(n - 1);
                int other = n == 1 ? 2 : 1;
                instance.terminate();
                Duration took = instance.awaitExit(Duration.ofSeconds(60));
                instance.report().ifPresent(reports::add);
                shutdowns.add(String.format("%s: SIGTERM to exit %d ms, exit status %d%s", instance.name(),
                        took.toMillis(), instance.exitValue(), instance.report().map(r -> "; ebb: " + r).orElse("")));
                await("every socket open again").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                        .until(f::allOpen);
                onTheOther.add(h.currentSessions(other));
                if (n == instances.size()) {
                    break; // every socket is back on the first instance: nothing left to show
                }
                instance.start();
                RollingRestart.awaitReady(instance);
                final int index = n;
                await("HAProxy routing to s" + n + " again").atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(50)).until(() -> h.routesTo(index));
            }
            return new Outcome(f.figures(), onTheOther, shutdowns, reports);
        } finally {
            if (fleet != null) {
                fleet.close();
            }
            if (haproxy != null) {
                haproxy.close();
            }
            instances.forEach(AppInstance::close);
        }
    }

    private static void print(ExampleApp app, String mode, Outcome outcome) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("[e2e] %s WebSockets behind haproxy-http, %s: %s; on the other instance after each"
                + " shutdown: %s%n", app, mode, outcome.figures(), outcome.onTheOther()));
        outcome.shutdowns().forEach(s -> b.append("[e2e]     ").append(s).append('\n'));
        System.out.print(b);
    }
}
