package dev.ebb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real nginx in front of a set of loopback backends, in the foreground as a child process, configured like
 * ingress-nginx towards its upstreams: pooled keep-alive connections ({@code keepalive 16},
 * {@code keepalive_timeout 60s}), {@code proxy_next_upstream off} (see {@code docs/load-balancers.md},
 * "Recommended settings") and no passive health checks ({@code max_fails=0}, as ingress-nginx's balancer has none). The set of backends changes only by rewriting the configuration and reloading, as an ingress
 * controller does when endpoints change. Not thread-safe.
 */
public final class Nginx implements AutoCloseable {

    /** {@code keepalive_timeout} of the upstream connection pool. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    private static final String GENERATION_PATH = "/__ebb_e2e_generation";

    private final Path dir;
    private final Path cfg;
    private final int port;
    private final Process process;
    private int generation;

    private Nginx(Path dir, int port, Process process) {
        this.dir = dir;
        this.cfg = dir.resolve("nginx.conf");
        this.port = port;
        this.process = process;
    }

    /** Writes the configuration to {@code dir}, starts nginx and waits until it serves. */
    public static Nginx start(Path dir, int port, List<Integer> backends) {
        try {
            Files.createDirectories(dir.resolve("logs"));
            Files.writeString(dir.resolve("nginx.conf"), config(dir, port, backends, 1));
            Process p = new ProcessBuilder(Tools.require("nginx"), "-p", dir.toString(), "-e",
                    dir.resolve("logs/error.log").toString(), "-c", dir.resolve("nginx.conf").toString(),
                    "-g", "daemon off;")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
            Nginx n = new Nginx(dir, port, p);
            n.generation = 1;
            n.awaitGeneration();
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configuration text; {@code generation} is served on a marker path to tell when a reload took effect. */
    public static String config(Path dir, int port, List<Integer> backends, int generation) {
        StringBuilder b = new StringBuilder();
        b.append("worker_processes 1;\n")
                .append("pid ").append(dir.resolve("nginx.pid")).append(";\n")
                .append("error_log ").append(dir.resolve("logs/error.log")).append(" notice;\n")
                .append("events { worker_connections 4096; }\n")
                .append("http {\n")
                .append("    access_log off;\n");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            b.append("    ").append(temp).append("_temp_path ").append(dir.resolve("tmp_" + temp)).append(";\n");
        }
        b.append("    upstream app {\n");
        if (backends.isEmpty()) {
            // An ingress with no ready endpoint: nothing can serve (never happens in a rolling restart).
            b.append("        server 127.0.0.1:1 down;\n");
        }
        for (int backend : backends) {
            b.append("        server 127.0.0.1:").append(backend).append(" max_fails=0;\n");
        }
        b.append("        keepalive 16;\n")
                .append("        keepalive_timeout ").append(IDLE_TIMEOUT.toSeconds()).append("s;\n")
                .append("    }\n")
                .append("    server {\n")
                .append("        listen 127.0.0.1:").append(port).append(";\n")
                .append("        keepalive_timeout 60s;\n")
                .append("        location = ").append(GENERATION_PATH).append(" { return 200 \"generation ")
                .append(generation).append("\\n\"; }\n")
                .append("        location / {\n")
                .append("            proxy_pass http://app;\n")
                .append("            proxy_http_version 1.1;\n")
                .append("            proxy_set_header Connection \"\";\n")
                .append("            proxy_next_upstream off;\n")
                .append("        }\n")
                .append("    }\n")
                .append("}\n");
        return b.toString();
    }

    /**
     * Rewrites the configuration with these backends and reloads (SIGHUP), then waits until new connections
     * are served by the new configuration. Old workers finish their requests in flight and exit.
     */
    public void route(List<Integer> backends) {
        generation++;
        try {
            Files.writeString(cfg, config(dir, port, backends, generation));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Tools.signal(process.pid(), "HUP");
        awaitGeneration();
    }

    private void awaitGeneration() {
        String expected = "generation " + generation;
        Poll.until("nginx serving configuration " + generation, Duration.ofSeconds(20), Duration.ofMillis(20), () -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("nginx exited: " + Files.readString(dir.resolve("logs/error.log")));
                    }
                    String r = Http.get(port, GENERATION_PATH);
                    return r != null && r.contains(expected);
                });
    }

    /** The listening port. */
    public int port() {
        return port;
    }

    /** Stops nginx (fast shutdown). */
    @Override
    public void close() {
        Tools.stop(process);
    }
}
