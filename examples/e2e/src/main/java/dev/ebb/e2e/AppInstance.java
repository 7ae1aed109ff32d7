package dev.ebb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM of an example app on a fixed loopback port; it can be stopped by a real SIGTERM and
 * started again on the same port. Its output goes to a log file per start. Not thread-safe.
 */
public final class AppInstance implements AutoCloseable {

    private static final String REPORT_MARK = "ebb: STOPPED: ";

    private final ExampleApp app;
    private final String name;
    private final int port;
    private final List<String> properties;
    private final Path logDir;
    private Process process;
    private Path log;
    private int starts;
    private long terminatedAt;

    /**
     * @param name a short label, e.g. {@code s1}
     * @param properties JVM options such as {@code -Debb.deregistration-delay=3s}
     */
    public AppInstance(ExampleApp app, String name, int port, List<String> properties, Path logDir) {
        this.app = app;
        this.name = name;
        this.port = port;
        this.properties = List.copyOf(properties);
        this.logDir = logDir;
    }

    /** Starts the JVM (again); returns at once, see {@link #ready()}. */
    public void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        starts++;
        terminatedAt = 0;
        log = logDir.resolve(name + "-" + starts + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Small, quick-starting JVMs: the machine runs two of them, a load balancer and a load generator.
        cmd.addAll(List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        cmd.addAll(properties);
        cmd.addAll(List.of("-jar", app.jar().toString(), "--port=" + port));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // Only the options above configure the app: Ebb reads EBB_* variables too and refuses unknown ones,
        // such as the EBB_E2E=required that CI sets for this suite.
        pb.environment().keySet().removeIf(k -> k.startsWith("EBB_"));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    /** Whether the process runs and {@code GET /ready} answers 200. */
    public boolean ready() {
        return alive() && Http.status(port, "/ready") == 200;
    }

    /** Whether the JVM is running. */
    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Sends SIGTERM (what Kubernetes sends at the start of a pod's termination). */
    public void terminate() {
        terminatedAt = System.nanoTime();
        process.destroy();
    }

    /**
     * Waits for the JVM to exit after {@link #terminate()}.
     *
     * @return the time from SIGTERM to exit
     * @throws IllegalStateException if it has not exited within {@code max}
     */
    public Duration awaitExit(Duration max) {
        try {
            if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " still running " + max + " after SIGTERM; log:\n" + logTail(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Duration.ofNanos(System.nanoTime() - terminatedAt);
    }

    /** The exit status of the last run. */
    public int exitValue() {
        return process.exitValue();
    }

    /** Ebb's report line of the last run ({@code ebb: STOPPED: ...}), if it logged one. */
    public Optional<String> report() {
        return lines().stream().filter(l -> l.contains(REPORT_MARK))
                .map(l -> l.substring(l.indexOf(REPORT_MARK) + REPORT_MARK.length())).reduce((a, b) -> b);
    }

    /**
     * The last lifecycle phase Ebb logged in this run ({@code DEREGISTERING}, {@code DRAINING}, {@code STOPPED}),
     * or {@code null} if none yet.
     */
    public String lastEbbPhase() {
        String phase = null;
        for (String l : lines()) {
            for (String p : List.of("DEREGISTERING", "DRAINING", "STOPPED")) {
                if (l.contains("ebb: " + p)) {
                    phase = p;
                }
            }
        }
        return phase;
    }

    /** The first line of the current run's log that contains {@code text}, if any. */
    public Optional<String> logLine(String text) {
        return lines().stream().filter(l -> l.contains(text)).findFirst();
    }

    /** Whether SIGTERM was sent to the current run. */
    public boolean terminating() {
        return terminatedAt != 0;
    }

    /** The last lines of the current log. */
    public String logTail(int n) {
        List<String> lines = lines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    private List<String> lines() {
        try {
            return log == null ? List.of() : Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of("(cannot read " + log + ": " + e + ")");
        }
    }

    /** The label, e.g. {@code s1}. */
    public String name() {
        return name;
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** The OS process id of the current run. */
    public long pid() {
        return process.pid();
    }

    /** Kills the JVM if it still runs. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
