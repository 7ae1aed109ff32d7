package dev.ebb.contract;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * A real child JVM running a main class on this test's class path, for tests that send it real signals.
 * Its output (SLF4J's simple logger included) is collected line by line. The collected lines are
 * thread-safe; the rest is for the test's thread.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Thread reader;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private ChildJvm(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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
    }

    /**
     * Starts {@code main} with {@code args}; returns at once.
     *
     * @param prefix what runs the {@code java} command (e.g. a shell that changes signal dispositions), or empty
     * @param jvmOptions options before the class path
     */
    public static ChildJvm start(List<String> prefix, List<String> jvmOptions, Class<?> main, List<String> args)
            throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Dorg.slf4j.simpleLogger.logFile=System.out");
        cmd.add(main.getName());
        cmd.addAll(args);
        return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    /** The lines it has written so far (a live, thread-safe view). */
    public List<String> lines() {
        return lines;
    }

    /** Whether it still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends it the signal {@code name} ({@code TERM}, {@code INT}) with {@code kill}. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -%s finished", name).isTrue();
        assertThat(kill.exitValue()).as("kill -%s", name).isZero();
    }

    /** Waits up to {@code max} for it to exit and returns its exit status, once every line it wrote is read. */
    public int exitCode(Duration max) throws InterruptedException {
        assertThat(process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)).as("child exited; output: %s", lines).isTrue();
        // Its last lines may still be in the pipe when it has exited: read them all first.
        reader.join(max.toMillis());
        return process.exitValue();
    }

    /** Kills it if it still runs. */
    @Override
    public void close() {
        process.destroyForcibly();
    }
}
