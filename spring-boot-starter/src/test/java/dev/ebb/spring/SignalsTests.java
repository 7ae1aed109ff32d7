package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ebb.contract.ChildJvm;
import dev.ebb.contract.RawHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A Boot application in a real child JVM, receiving real signals: the exit status is Ebb's. */
class SignalsTests {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private ChildJvm child;
    private List<String> lines = List.of();
    private int port;

    private void startChild(String... args) throws IOException {
        child = ChildJvm.start(List.of(), List.of(), SignalApplication.class, List.of(args));
        lines = child.lines();
        await().atMost(WAIT).until(() -> lines.stream().anyMatch(l -> l.startsWith("PORT ")) || !child.isAlive());
        assertThat(child.isAlive()).as("child started; output: %s", lines).isTrue();
        port = lines.stream().filter(l -> l.startsWith("PORT ")).map(l -> Integer.parseInt(l.substring(5))).findFirst()
                .orElseThrow();
    }

    private RawHttp hold(String path) throws IOException {
        RawHttp request = RawHttp.connect(port).send("GET", path);
        await().atMost(WAIT).until(() -> lines.contains("HELD"));
        return request;
    }

    private void signal(String name) throws Exception {
        child.signal(name);
    }

    private int exitCode() throws InterruptedException {
        return child.exitCode(WAIT);
    }

    @AfterEach
    void killChild() {
        if (child != null) {
            child.close();
        }
    }

    @Test
    void sigtermDrainsClosesTheContextThenExitsZero() throws Exception {
        startChild("--ebb.drain-timeout=20s");
        try (RawHttp inFlight = hold("/hold")) {
            signal("TERM");
            RawHttp.Response response = inFlight.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("done");
        }
        assertThat(exitCode()).as("output: %s", lines).isZero();
        assertThat(lines).containsSubsequence("PHASE DEREGISTERING", "PHASE DRAINING", "PHASE STOPPED",
                "CONTEXT CLOSED", "REPORT clean=true", "HOOK");
        assertThat(lines).anyMatch(l -> l.contains("SIGTERM received"));
        assertThat(lines).anyMatch(l -> l.contains("exiting with status 0"));
        assertThat(lines.stream().filter("CONTEXT CLOSED"::equals)).as("closed once").hasSize(1);
    }

    @Test
    void sigtermExitsOneWhenARequestOutlivesTheDrainTimeout() throws Exception {
        startChild("--ebb.drain-timeout=1s");
        RawHttp inFlight = hold("/hold?forever=true");
        signal("TERM");
        assertThat(exitCode()).as("output: %s", lines).isEqualTo(1);
        inFlight.close();
        assertThat(lines).containsSubsequence("PHASE STOPPED", "CONTEXT CLOSED", "REPORT clean=false", "HOOK");
        assertThat(lines).anyMatch(l -> l.contains("exiting with status 1"));
    }

    @Test
    void secondSigtermExpeditesTheDeregistrationDelay() throws Exception {
        startChild("--ebb.deregistration-delay=2m", "--ebb.termination-grace-period=5m");
        signal("TERM");
        await().atMost(WAIT).until(() -> lines.contains("PHASE DEREGISTERING"));
        signal("TERM");
        assertThat(exitCode()).as("output: %s", lines).isZero();
        assertThat(lines).containsSubsequence("PHASE DRAINING", "PHASE STOPPED", "CONTEXT CLOSED", "HOOK");
        assertThat(lines).anyMatch(l -> l.contains("expedit"));
    }

    @Test
    void withHandleSignalsFalseBootsShutdownHookDrainsAndTheJvmExitsWithTheSignalsStatus() throws Exception {
        startChild("--ebb.handle-signals=false", "--ebb.drain-timeout=20s");
        try (RawHttp inFlight = hold("/hold")) {
            signal("TERM");
            RawHttp.Response response = inFlight.read();
            assertThat(response.status()).isEqualTo(200);
        }
        assertThat(exitCode()).as("output: %s", lines).isEqualTo(143);
        assertThat(lines).containsSubsequence("PHASE DRAINING", "PHASE STOPPED", "CONTEXT CLOSED");
        assertThat(lines).noneMatch(l -> l.contains("SIGTERM received"));
    }
}
