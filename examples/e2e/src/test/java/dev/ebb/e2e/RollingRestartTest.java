package dev.ebb.e2e;

import static dev.ebb.e2e.Setup.HAPROXY_H2;
import static dev.ebb.e2e.Setup.HAPROXY_HTTP;
import static dev.ebb.e2e.Setup.HAPROXY_TCP;
import static dev.ebb.e2e.Setup.NGINX;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rolling restarts of each example app behind real load balancers under wrk POST load: zero failed requests
 * with Ebb, and failures without it (so this suite can fail).
 *
 * <p>Every app runs with Ebb behind every set-up (Tomcat not behind {@code haproxy-h2}); each app also runs once
 * without Ebb, and those runs cover every set-up; the Spring Boot 3 apps on Jetty, Undertow and Reactor Netty, by
 * default, behind one set-up each and only with Ebb ({@code -Debb.e2e.boot3.all=true} for all). One line per app; a scenario takes about
 * 13 s (Spring Boot's up to 20 s), the whole class about 6 minutes on two shared cores.
 */
class RollingRestartTest {

    /** App, set-ups run with Ebb, set-ups run without Ebb. */
    private record Row(String app, List<Setup> withEbb, List<Setup> withoutEbb) {
    }

    private static final List<Setup> ALL = List.of(HAPROXY_HTTP, HAPROXY_H2, HAPROXY_TCP, NGINX);

    /** {@code -Debb.e2e.boot3.all=true}: every Spring Boot 3 app behind every set-up it runs behind, and without Ebb. */
    static final boolean BOOT3_ALL = Boolean.getBoolean("ebb.e2e.boot3.all");

    /**
     * A Spring Boot 3.5 app: with Ebb behind {@code byDefault} and without it behind {@code withoutByDefault}; with
     * {@link #BOOT3_ALL}, with Ebb behind {@code all} and without it behind the last of them.
     */
    private static Row boot3(String app, List<Setup> byDefault, List<Setup> withoutByDefault, List<Setup> all) {
        return BOOT3_ALL ? new Row(app, all, List.of(all.get(all.size() - 1))) : new Row(app, byDefault, withoutByDefault);
    }

    /** Not behind haproxy-h2: HAProxy 2.6 sends ":scheme https" on cleartext h2, which Tomcat refuses. */
    private static final List<Setup> TOMCAT = List.of(HAPROXY_HTTP, HAPROXY_TCP, NGINX);

    private static final List<Row> MATRIX = List.of(
            new Row("jetty", ALL, List.of(HAPROXY_H2)),
            new Row("undertow", ALL, List.of(HAPROXY_HTTP)),
            new Row("netty", ALL, List.of(HAPROXY_TCP)),
            new Row("spring-boot", TOMCAT, List.of(NGINX)),
            // Spring Boot 3.5 on each of its four servers: Tomcat behind all its set-ups; to keep the suite's time,
            // the others by default with Ebb behind one set-up each, all four set-ups between them;
            // -Debb.e2e.boot3.all=true runs each behind all its set-ups, and each without Ebb.
            new Row("spring-boot3", TOMCAT, List.of(NGINX)),
            boot3("spring-boot3-jetty", List.of(HAPROXY_H2), List.of(), ALL),
            boot3("spring-boot3-undertow", List.of(HAPROXY_TCP), List.of(), List.of(HAPROXY_HTTP, HAPROXY_TCP, NGINX)),
            boot3("spring-boot3-reactor-netty", List.of(HAPROXY_HTTP), List.of(), ALL));

    /** {@code -Debb.e2e.setups=haproxy-h2} narrows the matrix to these set-ups. */
    private static boolean setupWanted(Setup s) {
        String only = System.getProperty("ebb.e2e.setups", "");
        return only.isBlank() || List.of(only.split(",")).contains(s.toString());
    }

    /** {@code -Debb.e2e.apps=jetty,netty} narrows the matrix to these apps. */
    private static Stream<Row> rows() {
        String only = System.getProperty("ebb.e2e.apps", "");
        return MATRIX.stream().filter(r -> only.isBlank() || List.of(only.split(",")).contains(r.app()));
    }

    static Stream<Arguments> withEbb() {
        return rows().flatMap(r -> r.withEbb().stream().filter(RollingRestartTest::setupWanted).map(s -> Arguments.of(new ExampleApp(r.app()), s)));
    }

    static Stream<Arguments> withoutEbb() {
        return rows().flatMap(r -> r.withoutEbb().stream().filter(RollingRestartTest::setupWanted).map(s -> Arguments.of(new ExampleApp(r.app()), s)));
    }

    @ParameterizedTest(name = "{0} behind {1}", allowZeroInvocations = true)
    @MethodSource("withEbb")
    void rollingRestartWithEbbFailsNoRequest(ExampleApp app, Setup setup, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        E2e.needTools("haproxy", "nginx", "wrk");
        E2e.needApp(app);
        RollingRestart.Outcome outcome = RollingRestart.run(app, setup, true, dir);
        print(app, setup, "with Ebb", outcome);
        assertThat(outcome.load().requests()).as("requests served").isGreaterThan(200);
        assertThat(outcome.load().failures()).as("failed requests with Ebb: " + outcome.load()).isZero();
        assertThat(outcome.reports()).as("Ebb's report of each shutdown").hasSize(2)
                .allSatisfy(r -> assertThat(r).contains(" 0 aborted").doesNotContain("timed out"));
    }

    @ParameterizedTest(name = "{0} behind {1}", allowZeroInvocations = true)
    @MethodSource("withoutEbb")
    void rollingRestartWithoutEbbFailsRequests(ExampleApp app, Setup setup, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        E2e.needTools("haproxy", "nginx", "wrk");
        E2e.needApp(app);
        RollingRestart.Outcome outcome = RollingRestart.run(app, setup, false, dir);
        print(app, setup, "without Ebb", outcome);
        assertThat(outcome.load().failures()).as("failed requests without Ebb: " + outcome.load()).isPositive();
    }

    private static void print(ExampleApp app, Setup setup, String mode, RollingRestart.Outcome outcome) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("[e2e] %s behind %s, %s: %s%n", app, setup, mode, outcome.load()));
        outcome.shutdowns().forEach(s -> b.append("[e2e]     ").append(s).append('\n'));
        System.out.print(b);
    }
}
