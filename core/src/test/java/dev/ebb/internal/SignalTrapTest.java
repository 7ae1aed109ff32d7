package dev.ebb.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ebb.contract.ChildJvm;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real child JVMs receiving real signals. */
class SignalTrapTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private ChildJvm child;
    private List<String> lines = List.of();

    private void startChild(String delay) throws IOException {
        startChild(delay, "wait");
    }

    private void startChild(String delay, String mode, String... jvmOptions) throws IOException {
        startChild(List.of(), delay, mode, jvmOptions);
    }

    private void startChild(List<String> prefix, String delay, String mode, String... jvmOptions) throws IOException {
        child = ChildJvm.start(prefix, List.of(jvmOptions), SignalChild.class, List.of(delay, mode));
        lines = child.lines();
        await().atMost(WAIT).until(() -> lines.contains("STARTED"));
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
