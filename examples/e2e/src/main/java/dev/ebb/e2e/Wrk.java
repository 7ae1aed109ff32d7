package dev.ebb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk running POST load against a URL until stopped, counting what failed: non-2xx answers (counted in a Lua
 * {@code response()} hook) and socket errors (connect, read, write, timeout). POST, so no proxy may silently
 * retry a request. Not thread-safe.
 */
public final class Wrk implements AutoCloseable {

    private static final Pattern RESULT = Pattern.compile(
            "EBB-E2E requests=(\\d+) non2xx=(\\d+) connect=(\\d+) read=(\\d+) write=(\\d+) timeout=(\\d+)");

    private final Process process;
    private final Path output;

    private Wrk(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Starts wrk: {@code threads} threads, {@code connections} keep-alive connections, POSTs to {@code url}.
     *
     * @param closeEach send {@code Connection: close} on every request (a new client connection per request)
     */
    public static Wrk start(Path dir, String url, int threads, int connections, boolean closeEach) {
        try {
            Path script = dir.resolve("post.lua");
            Files.writeString(script, script(closeEach));
            Path out = dir.resolve("wrk.out");
            Process p = new ProcessBuilder(Tools.require("wrk"), "-t" + threads, "-c" + connections, "-d600s",
                    "--timeout", "20s", "-s", script.toString(), url)
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            return new Wrk(p, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String script(boolean closeEach) {
        return "wrk.method = \"POST\"\n"
                + "wrk.body = \"ebb end-to-end\"\n"
                + "wrk.headers[\"Content-Type\"] = \"text/plain\"\n"
                + (closeEach ? "wrk.headers[\"Connection\"] = \"close\"\n" : "")
                + "local threads = {}\n"
                + "function setup(thread) table.insert(threads, thread) end\n"
                + "function init(args) non2xx = 0 end\n"
                + "function response(status, headers, body)\n"
                + "  if status < 200 or status > 299 then non2xx = non2xx + 1 end\n"
                + "end\n"
                + "function done(summary, latency, requests)\n"
                + "  local bad = 0\n"
                + "  for _, t in ipairs(threads) do bad = bad + t:get(\"non2xx\") end\n"
                + "  local e = summary.errors\n"
                + "  io.write(string.format(\"EBB-E2E requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\\n\",\n"
                + "    summary.requests, bad, e.connect, e.read, e.write, e.timeout))\n"
                + "end\n";
    }

    /** Whether wrk is still running. */
    public boolean alive() {
        return process.isAlive();
    }

    /** Stops wrk (SIGINT: it prints its summary) and returns what it counted. */
    public Result stop() {
        Tools.signal(process.pid(), "INT");
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("wrk did not stop on SIGINT");
            }
            String text = Files.readString(output);
            Matcher m = RESULT.matcher(text);
            if (!m.find()) {
                throw new IllegalStateException("no result in wrk's output:\n" + text);
            }
            return new Result(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)), text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /**
     * What wrk counted.
     *
     * @param requests responses received (any status)
     * @param non2xx responses with a status outside 200-299
     * @param connect failed connects
     * @param read read errors (connection closed or reset under a request)
     * @param write write errors
     * @param timeout requests without a response within wrk's timeout
     * @param output wrk's whole output
     */
    public record Result(long requests, long non2xx, long connect, long read, long write, long timeout, String output) {

        /** Every failed request: non-2xx answers and socket errors. */
        public long failures() {
            return non2xx + connect + read + write + timeout;
        }

        @Override
        public String toString() {
            return requests + " requests, " + failures() + " failed (non-2xx " + non2xx + ", connect " + connect
                    + ", read " + read + ", write " + write + ", timeout " + timeout + ")";
        }
    }
}
