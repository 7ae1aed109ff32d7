package dev.ebb.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** External programs the harness drives (HAProxy, nginx, wrk), looked up on PATH and in the sbin directories. */
public final class Tools {

    /** The command that installs every tool the end-to-end suite needs. */
    public static final String INSTALL = "apt-get install -y haproxy nginx wrk";

    private Tools() {
    }

    /** The executable's path, if installed. */
    public static Optional<Path> find(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)),
                        Stream.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The tools among {@code names} that are missing. */
    public static List<String> missing(String... names) {
        return Stream.of(names).filter(n -> find(n).isEmpty()).toList();
    }

    /** The path of an installed tool; fails with the install command if missing. */
    public static String require(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException(name + " is not installed: " + INSTALL))
                .toString();
    }

    /** Sends a signal ({@code TERM}, {@code INT}, {@code HUP}) to a process with kill(1). */
    public static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            kill.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + pid, e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed", e);
        }
    }

    /** Stops a child program with SIGTERM, killing it if it has not exited within 10 s. */
    public static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
