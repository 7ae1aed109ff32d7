package dev.ebb.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The demo's load generator and load balancer in one: worker threads send {@code POST /work?ms=N} over pooled
 * keep-alive connections, round-robin across the backends that its health checker last saw ready (a fresh
 * {@code GET /ready} every 250 ms, as a load balancer does). Like a production balancer it never retries a
 * request: a refused connect, a reset, a connection closed under a request or a non-2xx answer is a failure.
 * With a single target and {@code balance=false} it just loads that target (e.g. HAProxy). Thread-safe.
 */
public final class LoadGenerator implements AutoCloseable {

    private static final Duration HEALTH_INTERVAL = Duration.ofMillis(250);

    private final List<Integer> ports;
    private final boolean balance;
    private final int workMs;
    private final AtomicIntegerArray inRotation;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final LongAdder ok = new LongAdder();
    private final LongAdder socketErrors = new LongAdder();
    private final LongAdder non2xx = new LongAdder();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * Starts {@code workers} threads.
     *
     * @param balance health-check the targets and send only to the ready ones; if {@code false}, send to all
     */
    public LoadGenerator(List<Integer> ports, boolean balance, int workers, int workMs) {
        this.ports = List.copyOf(ports);
        this.balance = balance;
        this.workMs = workMs;
        this.inRotation = new AtomicIntegerArray(ports.size());
        for (int i = 0; i < ports.size(); i++) {
            inRotation.set(i, 1);
        }
        if (balance) {
            threads.add(daemon("health-checks", this::checkHealth));
        }
        for (int w = 0; w < workers; w++) {
            int first = w;
            threads.add(daemon("load-" + w, () -> work(first)));
        }
        threads.forEach(Thread::start);
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Whether the balancer currently sends new requests to target {@code index} (0-based). */
    public boolean inRotation(int index) {
        return inRotation.get(index) == 1;
    }

    /** Successful requests so far. */
    public long ok() {
        return ok.sum();
    }

    /** Requests that failed on the socket (refused, reset, closed under the request). */
    public long socketErrors() {
        return socketErrors.sum();
    }

    /** Requests answered with a status outside 200-299. */
    public long non2xx() {
        return non2xx.sum();
    }

    /** All failed requests. */
    public long failures() {
        return socketErrors() + non2xx();
    }

    private void checkHealth() {
        while (running.get()) {
            for (int i = 0; i < ports.size(); i++) {
                inRotation.set(i, Http.status(ports.get(i), "/ready") == 200 ? 1 : 0);
            }
            LockSupport.parkNanos(HEALTH_INTERVAL.toNanos());
        }
    }

    private void work(int first) {
        Connection[] pool = new Connection[ports.size()];
        int next = first;
        byte[] body = "ebb demo".getBytes(StandardCharsets.US_ASCII);
        while (running.get()) {
            int target = -1;
            for (int k = 0; k < ports.size(); k++) {
                int i = (next + k) % ports.size();
                if (inRotation(i)) {
                    target = i;
                    break;
                }
            }
            next = (target + 1) % ports.size();
            if (target < 0) {
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // no backend ready: nothing to send to
                continue;
            }
            try {
                if (pool[target] != null && pool[target].closedWhileIdle()) {
                    pool[target].close();
                    pool[target] = null;
                }
                if (pool[target] == null) {
                    pool[target] = new Connection(ports.get(target));
                }
                int status = pool[target].post("/work?ms=" + workMs, body);
                if (status >= 200 && status < 300) {
                    ok.increment();
                } else {
                    non2xx.increment();
                }
                if (pool[target].closeRequested) {
                    pool[target].close();
                    pool[target] = null;
                }
            } catch (IOException e) {
                if (running.get()) {
                    socketErrors.increment();
                }
                if (pool[target] != null) {
                    pool[target].close();
                    pool[target] = null;
                }
            }
        }
        for (Connection c : pool) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** Stops the workers and waits for them. */
    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One keep-alive HTTP/1.1 connection. */
    private static final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final int port;
        boolean closeRequested;
        private long lastUsed = System.nanoTime();

        Connection(int port) throws IOException {
            this.port = port;
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        /**
         * Whether the server closed this pooled connection while it sat idle: an event-driven balancer sees
         * that close when it happens and never sends on such a connection; only a close that races with a
         * request being sent makes it fail. Checked only after a pause, so back-to-back requests skip it.
         */
        boolean closedWhileIdle() {
            if (System.nanoTime() - lastUsed < TimeUnit.MILLISECONDS.toNanos(20)) {
                return false;
            }
            try {
                socket.setSoTimeout(1);
                in.read(); // returns only on EOF or a byte nobody asked for: unusable either way
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            } finally {
                try {
                    socket.setSoTimeout(30_000);
                } catch (IOException e) {
                    // closed; the next use fails
                }
            }
        }

        int post(String path, byte[] body) throws IOException {
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed before a response");
            }
            int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
            long length = -1;
            boolean chunked = false;
            String h;
            while ((h = line()) != null && !h.isEmpty()) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    closeRequested = true;
                }
            }
            if (h == null) {
                throw new IOException("connection closed inside the headers");
            }
            if (chunked) {
                while (true) {
                    String size = line();
                    if (size == null) {
                        throw new IOException("connection closed inside the body");
                    }
                    long n = Long.parseLong(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        while ((h = line()) != null && !h.isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    skip(n + 2);
                }
            } else if (length >= 0) {
                skip(length);
            } else {
                in.readAllBytes();
                closeRequested = true;
            }
            lastUsed = System.nanoTime();
            return status;
        }

        private void skip(long n) throws IOException {
            in.skipNBytes(n);
        }

        private String line() throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int len = b.length();
                    return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
                }
                b.append((char) c);
            }
            return b.length() == 0 ? null : b.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
