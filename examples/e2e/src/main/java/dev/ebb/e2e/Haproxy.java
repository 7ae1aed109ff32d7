package dev.ebb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A real HAProxy in front of backends {@code s1}, {@code s2}, ... on loopback, run in the foreground as a child
 * process, configured like a production load balancer (see {@code docs/load-balancers.md}), with
 * its runtime API on a Unix socket. Not thread-safe.
 */
public final class Haproxy implements AutoCloseable {

    /** How HAProxy is set up. */
    public enum Mode {
        /**
         * L7 like an ALB: keep-alive pooled backend connections reused by any client ({@code http-reuse always}),
         * no retries, no redispatch, active health checks of {@code /ready} every 500 ms (fall 2, rise 2).
         */
        HTTP,
        /**
         * As {@link #HTTP}, but HAProxy speaks HTTP/2 to the backends ({@code proto h2}, cleartext with prior
         * knowledge), multiplexing the clients' requests as streams over few connections.
         */
        HTTP2,
        /**
         * As {@link #HTTP}, without health checks: like an ALB whose targets a controller deregisters when the
         * endpoints change. Whoever drives it takes a backend out of rotation with {@link #disable(int)}.
         */
        HTTP_DRIVEN,
        /**
         * L4 like kube-proxy: each client connection is pinned to one backend for its lifetime; no health
         * checks; whoever drives it takes a backend out of rotation with {@link #disable(int)}.
         */
        TCP
    }

    /** The idle timeout configured for client and server connections ({@code timeout http-keep-alive/server}). */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    /**
     * The idle timeout of a tunnel (an upgraded connection such as a WebSocket, {@code timeout tunnel}): long, as
     * for WebSockets in production, so that only the backend or the client ever ends one.
     */
    public static final Duration TUNNEL_TIMEOUT = Duration.ofHours(1);

    private final Mode mode;
    private final int port;
    private final Path socket;
    private final Process process;

    private Haproxy(Mode mode, int port, Path socket, Process process) {
        this.mode = mode;
        this.port = port;
        this.socket = socket;
        this.process = process;
    }

    /** Writes the configuration to {@code dir}, starts HAProxy and waits until its runtime API answers. */
    public static Haproxy start(Mode mode, Path dir, int port, List<Integer> backends) {
        Path socket = dir.resolve("haproxy.sock");
        Path cfg = dir.resolve("haproxy.cfg");
        try {
            Files.writeString(cfg, config(mode, port, socket, backends));
            Process p = new ProcessBuilder(Tools.require("haproxy"), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            Haproxy h = new Haproxy(mode, port, socket, p);
            Poll.until("HAProxy runtime API", Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException("haproxy exited: " + Files.readString(dir.resolve("haproxy.log")));
                        }
                        return Files.exists(socket) && h.tryCommand("show info") != null;
                    });
            return h;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configuration text. */
    public static String config(Mode mode, int port, Path socket, List<Integer> backends) {
        StringBuilder b = new StringBuilder();
        b.append("global\n")
                .append("    stats socket ").append(socket).append(" mode 600 level admin\n")
                .append("    maxconn 4096\n")
                .append("    log stdout format raw local0 info\n") // one line per request, in haproxy.log
                .append("defaults\n")
                .append("    log global\n")
                .append(mode == Mode.TCP ? "    option tcplog\n" : "    option httplog\n")
                .append("    mode ").append(mode == Mode.TCP ? "tcp" : "http").append('\n')
                .append("    timeout connect 5s\n")
                .append("    timeout client 60s\n")
                .append("    timeout server 60s\n")
                .append("    timeout tunnel ").append(TUNNEL_TIMEOUT.toSeconds()).append("s\n")
                .append("    timeout client-fin 30s\n")
                .append("    retries 0\n")
                .append("    no option redispatch\n");
        if (mode != Mode.TCP) {
            b.append("    timeout http-keep-alive 60s\n")
                    .append("    timeout check 2s\n")
                    .append("    retry-on none\n")
                    .append("    http-reuse always\n");
        }
        b.append("frontend fe\n")
                .append("    bind 127.0.0.1:").append(port).append('\n')
                .append("    default_backend app\n")
                .append("backend app\n")
                .append("    balance roundrobin\n");
        if (mode == Mode.HTTP || mode == Mode.HTTP2) {
            b.append("    option httpchk\n")
                    .append("    http-check send meth GET uri /ready ver HTTP/1.1 hdr Host app\n")
                    .append("    http-check expect status 200\n")
                    .append("    default-server check inter 500ms fall 2 rise 2\n");
        }

        for (int i = 0; i < backends.size(); i++) {
            b.append("    server s").append(i + 1).append(" 127.0.0.1:").append(backends.get(i))
                    // h2 to the backend, health checks in HTTP/1.1 (HAProxy's h2 checks claim the https scheme)
                    .append(mode == Mode.HTTP2 ? " proto h2 check-proto h1" : "").append('\n');
        }
        return b.toString();
    }

    /** The frontend port. */
    public int port() {
        return port;
    }

    /** The mode it runs in. */
    public Mode mode() {
        return mode;
    }

    /** Puts backend {@code s<index>} in maintenance: no new connections go to it (runtime API). */
    public void disable(int index) {
        command("set server app/s" + index + " state maint");
    }

    /** Takes backend {@code s<index>} out of maintenance (runtime API). */
    public void enable(int index) {
        command("set server app/s" + index + " state ready");
    }

    /**
     * The status HAProxy shows for backend {@code s<index>}: {@code UP}, {@code DOWN}, {@code MAINT},
     * {@code no check} (TCP mode), with transitions such as {@code DOWN 1/2}.
     */
    public String status(int index) {
        return stat(index, "status");
    }

    private String stat(int index, String column) {
        String csv = command("show stat");
        String[] lines = csv.split("\n");
        List<String> header = Arrays.asList(lines[0].replaceFirst("^# ", "").split(","));
        int col = header.indexOf(column);
        for (String line : lines) {
            String[] f = line.split(",", -1);
            if (f.length > col && f[0].equals("app") && f[1].equals("s" + index)) {
                return f[col];
            }
        }
        throw new IllegalStateException("no server s" + index + " in:\n" + csv);
    }

    /** The connections HAProxy has open to backend {@code s<index>} now (its {@code scur}). */
    public int currentSessions(int index) {
        return Integer.parseInt(stat(index, "scur"));
    }

    /** Whether HAProxy would send new connections to backend {@code s<index>} now. */
    public boolean routesTo(int index) {
        String s = status(index);
        return s.equals("UP") || s.equals("no check");
    }

    /** Sends one runtime API command and returns the answer. */
    public String command(String command) {
        String answer = tryCommand(command);
        if (answer == null) {
            throw new IllegalStateException("HAProxy runtime API did not answer " + command);
        }
        return answer;
    }

    private String tryCommand(String command) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        }
    }

    /** Stops HAProxy. */
    @Override
    public void close() {
        Tools.stop(process);
    }
}
