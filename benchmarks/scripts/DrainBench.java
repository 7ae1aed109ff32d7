import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drain-latency measurements of one example app jar, JDK only (run with {@code java DrainBench.java}).
 *
 * <pre>
 * java DrainBench.java stop-latency JAR ITERATIONS   # last in-flight request's end -> STOPPED, per run
 * java DrainBench.java idle-close JAR CONNECTIONS    # SIGTERM (delay 0) -> every idle keep-alive connection closed
 * java DrainBench.java idle-close floor CONNECTIONS  # the same client against CloseFloor.java: this machine's floor
 * </pre>
 * Prints one {@code RESULT key=value ...} line.
 */
public final class DrainBench {

    private static final Pattern TIME = Pattern.compile("(\\d{2}):(\\d{2}):(\\d{2})[.,](\\d{3})");

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "stop-latency" -> stopLatency(jar, n);
            case "idle-close" -> idleClose(jar, n);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** Each run: one request of 1.5 s in flight at SIGTERM (no deregistration delay); its end to Ebb's STOPPED line. */
    static void stopLatency(Path jar, int iterations) throws Exception {
        List<Long> toStopped = new ArrayList<>();
        List<Long> toExit = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            Path log = Files.createTempFile("ebb-bench-", ".log");
            int port = freePort();
            Process p = start(jar, port, log);
            try (Socket s = new Socket()) {
                awaitReady(p, port);
                s.connect(new InetSocketAddress("127.0.0.1", port));
                s.setSoTimeout(30_000);
                s.getOutputStream().write(("GET /work?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
                p.destroy(); // SIGTERM: with delay 0 Ebb starts DRAINING at once; the request is still in flight
                readResponse(s.getInputStream());
                long endWall = System.currentTimeMillis();
                long endNanos = System.nanoTime();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no exit; log:\n" + Files.readString(log));
                }
                long exitNanos = System.nanoTime();
                String stopped = Files.readAllLines(log).stream().filter(l -> l.contains("ebb: STOPPED"))
                        .findFirst().orElseThrow(() -> new IllegalStateException("no STOPPED line in " + log));
                long stoppedMsOfDay = msOfDay(stopped);
                long endMsOfDay = LocalTime.ofInstant(java.time.Instant.ofEpochMilli(endWall),
                        java.time.ZoneId.systemDefault()).toNanoOfDay() / 1_000_000;
                toStopped.add(stoppedMsOfDay - endMsOfDay);
                toExit.add(TimeUnit.NANOSECONDS.toMillis(exitNanos - endNanos));
            } finally {
                p.destroyForcibly();
                Files.deleteIfExists(log);
            }
        }
        Collections.sort(toStopped);
        Collections.sort(toExit);
        System.out.printf("RESULT runs=%d to_stopped_median_ms=%d to_stopped_max_ms=%d to_exit_median_ms=%d samples=%s%n",
                iterations, toStopped.get(iterations / 2), toStopped.get(iterations - 1), toExit.get(iterations / 2),
                toStopped);
    }

    /**
     * Opens {@code count} keep-alive connections (one {@code GET /work?ms=0} each, an ordinary tracked request),
     * checks that every one is still open, sends SIGTERM (deregistration delay 0), and notes the wall-clock time at
     * which the last of them sees EOF. The figure is measured from the app's {@code ebb: DEREGISTERING} log line
     * (millisecond timestamp), which with delay 0 immediately precedes DRAINING (the listener's close, then the idle
     * close): it is never later than the start of DRAINING, so the figure never flatters. Also printed: SIGTERM to
     * that line (the JVM's signal handling, not Ebb's work), that line to the {@code ebb: DRAINING} line (logged
     * once the server-side close call has returned), and how many of the connections the server closed before the
     * signal (its own idle timeout while a slow machine opened the rest; they must be 0 for the figure to count).
     * With {@code floor} for the jar, the server is {@code CloseFloor.java}: no HTTP library, no Ebb.
     */
    static void idleClose(Path jar, int count) throws Exception {
        Path log = Files.createTempFile("ebb-bench-", ".log");
        int port = freePort();
        boolean floor = jar.toString().equals("floor");
        Process p = floor ? startFloor(port, log) : start(jar, port, log);
        try (Selector selector = Selector.open()) {
            awaitReady(p, port);
            long setup = System.nanoTime();
            ByteBuffer request = ByteBuffer.wrap("GET /work?ms=0 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer buf = ByteBuffer.allocate(4096);
            List<SocketChannel> channels = new ArrayList<>();
            int opened = 0;
            // Open in batches so the accept backlog never overflows; each gets one answered request.
            while (opened < count) {
                int batch = Math.min(200, count - opened);
                List<SocketChannel> pending = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                    ch.write(request.duplicate());
                    pending.add(ch);
                }
                for (SocketChannel ch : pending) {
                    ch.socket().setSoTimeout(10_000);
                    readResponse(new BufferedInputStream(ch.socket().getInputStream(), 512));
                    channels.add(ch);
                }
                opened += batch;
            }
            for (SocketChannel ch : channels) {
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ);
            }
            long setupMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - setup);
            int closedBefore = 0;
            selector.selectNow();
            for (SelectionKey k : selector.selectedKeys()) {
                if (eof((SocketChannel) k.channel(), buf)) {
                    k.cancel();
                    closedBefore++;
                }
            }
            selector.selectedKeys().clear();
            long[] cpuBefore = cpuMs(p.pid());
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long clientCpuBefore = mx.getCurrentThreadCpuTime();
            long sigtermWall = System.currentTimeMillis();
            long t0 = System.nanoTime();
            p.destroy();
            int closed = 0;
            long last = t0;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (closed + closedBefore < count && System.nanoTime() < deadline) {
                selector.select(1000);
                for (SelectionKey k : selector.selectedKeys()) {
                    if (eof((SocketChannel) k.channel(), buf)) {
                        k.cancel(); // closed after the measurement: the client's own closes are not timed
                        closed++;
                        last = System.nanoTime();
                    }
                }
                selector.selectedKeys().clear();
            }
            long[] cpuAfter = cpuMs(p.pid()); // the server's CPU time, while it stops (it is still alive)
            long clientCpu = mx.getCurrentThreadCpuTime() - clientCpuBefore;
            long lastWall = sigtermWall + TimeUnit.NANOSECONDS.toMillis(last - t0);
            p.waitFor(30, TimeUnit.SECONDS);
            List<String> lines = Files.readAllLines(log);
            String startMark = floor ? "floor: CLOSING" : "ebb: DEREGISTERING";
            String endMark = floor ? "floor: CLOSED" : "ebb: DRAINING";
            String deregistering = lines.stream().filter(l -> l.contains(startMark)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + startMark + " line in " + log));
            String draining = lines.stream().filter(l -> l.contains(endMark)).findFirst()
                    .orElse("(no " + endMark + " line)");
            long start = msOfDay(deregistering);
            System.out.printf("RESULT connections=%d closed=%d closed_before_sigterm=%d all_closed_ms=%d close_call_ms=%d"
                            + " sigterm_to_drain_ms=%d sigterm_to_all_closed_ms=%d server_cpu_ms=%s client_cpu_ms=%d setup_ms=%d log=\"%s\"%n", count, closed,
                    closedBefore, msOfDay(lastWall) - start, draining.startsWith("(") ? -1 : msOfDay(draining) - start,
                    start - msOfDay(sigtermWall), TimeUnit.NANOSECONDS.toMillis(last - t0),
                    cpuBefore == null || cpuAfter == null ? "?"
                            : (cpuAfter[0] - cpuBefore[0]) + "+" + (cpuAfter[1] - cpuBefore[1]) + "sys",
                    TimeUnit.NANOSECONDS.toMillis(clientCpu), setupMs,
                    draining.replaceAll("^.*(ebb|floor): ", "$1: "));
            for (SocketChannel ch : channels) {
                ch.close();
            }
            if (closed != count) {
                System.err.printf("only %d of %d connections open at SIGTERM were seen closed (%d closed before)%n",
                        closed, count, closedBefore);
                System.exit(1);
            }
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    /**
     * A process's CPU time so far, user and system, in ms (Linux's {@code /proc/PID/stat}, 10 ms ticks; exited threads
     * included); {@code null} when not available (not Linux, or the process has exited).
     */
    static long[] cpuMs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]) * 10, Long.parseLong(f[12]) * 10}; // utime, stime (fields 14, 15)
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Reads what is readable; whether the peer closed (EOF, or a reset). */
    private static boolean eof(SocketChannel ch, ByteBuffer buf) {
        try {
            buf.clear();
            return ch.read(buf) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** Milliseconds of the local day of a wall-clock instant, as in the app's log lines. */
    static long msOfDay(long epochMilli) {
        return LocalTime.ofInstant(java.time.Instant.ofEpochMilli(epochMilli), java.time.ZoneId.systemDefault())
                .toNanoOfDay() / 1_000_000;
    }

    static Process start(Path jar, int port, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx256m"));
        String extra = System.getenv("BENCH_JVM_OPTS"); // e.g. a profiler: -XX:StartFlightRecording=...
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of(
                "-Debb.deregistration-delay=0s", "-Debb.drain-timeout=10s",
                // behind a load balancer: Ebb raises the keep-alive above its 600 s, so no server closes a connection
                // on its own while a slow machine opens the rest
                "-Debb.load-balancer-idle-timeout=600s",
                "-Dserver.tomcat.max-connections=20000",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "-jar", jar.toString(), "--port=" + port));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("EBB_")); // Ebb refuses unknown EBB_* variables
        return pb.start();
    }

    /** {@code CloseFloor.java}, next to this file (run from the repository root, as {@code benchmarks/run.sh} does). */
    static Process startFloor(int port, Path log) throws IOException {
        Path script = Path.of("benchmarks", "scripts", "CloseFloor.java");
        if (!Files.exists(script)) {
            throw new IllegalStateException("run from the repository root: no " + script);
        }
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx256m", script.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void awaitReady(Process p, int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("app exited during start-up");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(2000);
                s.getOutputStream().write("GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                if (r.startsWith("HTTP/1.1 200")) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        throw new IllegalStateException("not ready in 90 s");
    }

    /** Reads one response with a Content-Length or chunked body. */
    static void readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("EOF in headers");
            }
            head.append((char) c);
        }
        String h = head.toString().toLowerCase();
        Matcher m = Pattern.compile("content-length:\\s*(\\d+)").matcher(h);
        if (m.find()) {
            in.readNBytes(Integer.parseInt(m.group(1)));
        } else if (h.contains("chunked")) {
            StringBuilder rest = new StringBuilder();
            while (!rest.toString().endsWith("0\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                rest.append((char) c);
            }
        }
    }

    static long msOfDay(String line) {
        Matcher m = TIME.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("no time of day in: " + line);
        }
        return ((Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))) * 60 + Long.parseLong(m.group(3))) * 1000
                + Long.parseLong(m.group(4));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
