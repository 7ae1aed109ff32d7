package dev.ebb.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

/** Real child JVMs receiving real signals. */
class SignalTrapTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private Process child;
    private Thread reader;

    private final List<String> lines = new CopyOnWriteArrayList<>();

    private void startChild(String delay) throws IOException {
        startChild(delay, "wait");
    }

    private void startChild(String delay, String mode, String... jvmOptions) throws IOException {
        startChild(List.of(), delay, mode, jvmOptions);
    }

    private void startChild(List<String> prefix, String delay, String mode, String... jvmOptions) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.addAll(List.of(jvmOptions));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Dorg.slf4j.simpleLogger.logFile=System.out");
        cmd.add(SignalChild.class.getName());
        cmd.add(delay);
        cmd.add(mode);
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
        await().atMost(WAIT).until(() -> lines.contains("STARTED"));
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(child.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private int exitCode() throws InterruptedException {
        assertThat(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("child exited; output: %s", lines).isTrue();
        // The child's last lines may still be in the pipe when it has exited: read them all first.
        reader.join(WAIT.toMillis());
        return child.exitValue();
    }

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void sigtermRunsTheWholeSequenceBeforeShutdownHooksAndExitsZero() throws Exception {
        startChild("0s");
        signal("TERM");
        assertThat(exitCode()).isZero();
        assertThat(lines).containsSubsequence("PHASE DEREGISTERING", "PHASE DRAINING", "CLOSE LISTENERS", "STOP",
                "PHASE STOPPED", "REPORT clean=true", "HOOK");
        assertThat(lines).anyMatch(l -> l.contains("SIGTERM received"));
    }

    @Test
    void sigintIsTakenToo() throws Exception {
        startChild("0s");
        signal("INT");
        assertThat(exitCode()).isZero();
        assertThat(lines).containsSubsequence("PHASE STOPPED", "HOOK");
    }

    @Test
    void secondSigtermSkipsTheDelay() throws Exception {
        startChild("2m");
        signal("TERM");
        await().atMost(WAIT).until(() -> lines.contains("PHASE DEREGISTERING"));
        signal("TERM");
        assertThat(exitCode()).isZero();
        assertThat(lines).containsSubsequence("PHASE DRAINING", "PHASE STOPPED", "HOOK");
        assertThat(lines).anyMatch(l -> l.contains("expedit"));
    }

    @Test
    void withoutSignalsTheSequenceStillRunsFromAShutdownHookOnExit() throws Exception {
        startChild("0s", "exit", "-Xrs");
        assertThat(exitCode()).isEqualTo(3);
        assertThat(lines).contains("PHASE DRAINING", "PHASE STOPPED", "HOOK");
    }

    @Test
    void underXrsSigtermCannotBeTakenAndStartUpSaysSoAsAnError() throws Exception {
        startChild("0s", "wait", "-Xrs");
        assertThat(lines).anyMatch(l -> l.contains("ERROR") && l.contains("cannot take SIGTERM") && l.contains("-Xrs")
                && l.contains("without shutdown hooks"));
        signal("TERM");
        // The consequence the error names: the JVM ends at once, no sequence, no hooks.
        assertThat(exitCode()).isEqualTo(143);
        assertThat(lines).doesNotContain("PHASE DEREGISTERING", "HOOK");
    }

    @Test
    void inheritedIgnoredSigtermIsReportedAtStartUp() throws Exception {
        startChild(List.of("sh", "-c", "trap '' TERM; exec \"$0\" \"$@\""), "0s", "wait");
        assertThat(lines).anyMatch(l -> l.contains("ERROR") && l.contains("cannot take SIGTERM")
                && l.contains("inherited SIGTERM as ignored"));
    }

    @Test
    void handlerInstalledBeforeEbbRunsAfterTheShutdown() throws Exception {
        startChild("0s", "chain");
        signal("TERM");
        assertThat(exitCode()).isZero();
        assertThat(lines).containsSubsequence("PHASE STOPPED", "REPORT clean=true", "PREVIOUS HANDLER", "HOOK");
    }

    @Test
    void exitStatusIsEbbsEvenWhenNoOtherThreadKeepsTheJvmUp() throws Exception {
        startChild("0s", "ends-aborting");
        signal("TERM");
        assertThat(exitCode()).as("output: %s", lines).isEqualTo(1);
        assertThat(lines).containsSubsequence("STOP", "REPORT clean=false", "HOOK");
    }
}
