package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ebb.contract.RawHttp;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A Boot application in a real child JVM, receiving real signals: the exit status is Ebb's. */
class SignalsTests {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private Process child;
    private Thread reader;
    private int port;

    private void startChild(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Dorg.slf4j.simpleLogger.logFile=System.out");
        cmd.add(SignalApplication.class.getName());
        cmd.addAll(List.of(args));
        child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("READ FAILED " + e);
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
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
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(child.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private int exitCode() throws InterruptedException {
        assertThat(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("child exited; output: %s", lines).isTrue();
        reader.join(WAIT.toMillis()); // its last lines may still be in the pipe
        return child.exitValue();
    }

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
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
