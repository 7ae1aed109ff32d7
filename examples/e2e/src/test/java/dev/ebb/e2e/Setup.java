package dev.ebb.e2e;

import java.time.Duration;

/**
 * The load balancer set-ups of the end-to-end suite, each configured like its production counterpart.
 */
enum Setup {
    /**
     * HAProxy L7 like an ALB: pooled backend keep-alive reused across clients, no retries, no redispatch,
     * health checks of {@code /ready} every 500 ms (fall 2, rise 2): it stops routing to a backend about a
     * second after its readiness goes down.
     */
    HAPROXY_HTTP("haproxy-http", "haproxy", false),
    /**
     * As {@link #HAPROXY_HTTP}, but HAProxy talks HTTP/2 to the backends (cleartext, prior knowledge): the
     * clients' requests are streams multiplexed over a few backend connections, and a backend going away must
     * say so with GOAWAY.
     */
    HAPROXY_H2("haproxy-h2", "haproxy", false),
    /**
     * HAProxy in TCP mode like kube-proxy: client connections pinned to a backend; the harness takes the
     * terminating backend out of rotation (runtime API) only {@link #LAG} after SIGTERM, like an endpoint update.
     */
    HAPROXY_TCP("haproxy-tcp", "haproxy", false),
    /**
     * nginx like ingress-nginx: upstream keep-alive, {@code proxy_next_upstream off}; the harness removes the
     * terminating backend by rewriting the configuration and reloading {@link #LAG} after SIGTERM, like the
     * controller syncing endpoints. Clients open a connection per request, because an nginx reload closes
     * idle client keep-alive connections of the old workers itself (a client race of nginx, not of the backend).
     */
    NGINX("nginx", "nginx", true);

    /** How long after SIGTERM the harness-driven set-ups stop routing new connections to the backend. */
    static final Duration LAG = Duration.ofMillis(1500);

    final String label;
    final String preset;
    final boolean clientClosesEach;

    Setup(String label, String preset, boolean clientClosesEach) {
        this.label = label;
        this.preset = preset;
        this.clientClosesEach = clientClosesEach;
    }

    /** The HAProxy mode of the HAProxy set-ups. */
    Haproxy.Mode haproxyMode() {
        return switch (this) {
            case HAPROXY_HTTP -> Haproxy.Mode.HTTP;
            case HAPROXY_H2 -> Haproxy.Mode.HTTP2;
            case HAPROXY_TCP -> Haproxy.Mode.TCP;
            case NGINX -> throw new IllegalStateException("not an HAProxy set-up: " + this);
        };
    }

    @Override
    public String toString() {
        return label;
    }
}
