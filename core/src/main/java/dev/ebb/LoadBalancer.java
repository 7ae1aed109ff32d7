package dev.ebb;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Load balancer presets ({@code ebb.load-balancer}) with the idle timeout each one applies to its
 * connections towards backends, and which kind of load balancer each is. In front of a proxy (L7: it pools
 * connections to backends and reuses them) the server's keep-alive idle timeout must be longer than the
 * proxy's, or the server closes a pooled connection while the proxy sends on it. In front of a pass-through
 * load balancer (L4: it forwards the client's TCP flow and drops an idle flow silently) it must be shorter,
 * so that the server's FIN reaches the client before the flow is forgotten. Sources are listed in
 * {@code docs/load-balancers.md}.
 */
public enum LoadBalancer {
    /** AWS Application Load Balancer: connection idle timeout 60 s by default. */
    AWS_ALB("aws-alb", Duration.ofSeconds(60)),
    /** AWS Network Load Balancer (pass-through): drops a TCP flow idle for 350 s without telling either side. */
    AWS_NLB("aws-nlb", Duration.ofSeconds(350), true),
    /** AWS Classic Load Balancer: idle timeout 60 s. */
    AWS_CLB("aws-clb", Duration.ofSeconds(60)),
    /** Amazon CloudFront: origin keep-alive timeout 5 s by default. */
    CLOUDFRONT("cloudfront", Duration.ofSeconds(5)),
    /** Google Cloud application load balancers (GFE and Envoy-based): backend keep-alive 600 s, fixed. */
    GCP("gcp", Duration.ofSeconds(600)),
    /** nginx and ingress-nginx: {@code upstream-keepalive-timeout} / {@code keepalive_timeout} 60 s. */
    NGINX("nginx", Duration.ofSeconds(60)),
    /** Envoy: cluster {@code common_http_protocol_options.idle_timeout} 1 h. */
    ENVOY("envoy", Duration.ofHours(1)),
    /** Istio sidecars and gateways: DestinationRule {@code idleTimeout} 1 h. */
    ISTIO("istio", Duration.ofHours(1)),
    /** HAProxy with the usual {@code timeout http-keep-alive}/{@code timeout server} of 60 s. */
    HAPROXY("haproxy", Duration.ofSeconds(60)),
    /** Traefik: {@code forwardingTimeouts.idleConnTimeout} 90 s. */
    TRAEFIK("traefik", Duration.ofSeconds(90)),
    /** Caddy: reverse proxy transport {@code keepalive} 2 min. */
    CADDY("caddy", Duration.ofMinutes(2)),
    /** Cloudflare: proxy idle timeout 900 s. */
    CLOUDFLARE("cloudflare", Duration.ofSeconds(900)),
    /** Oracle Cloud load balancer: closes backend connections idle for 300 s. */
    OCI("oci", Duration.ofSeconds(300)),
    /** Azure Load Balancer (pass-through): drops a TCP flow idle for 4 min by default, silently. */
    AZURE_LB("azure-lb", Duration.ofMinutes(4), true);

    private final String configName;
    private final Duration idleTimeout;
    private final boolean passThrough;

    LoadBalancer(String configName, Duration idleTimeout) {
        this(configName, idleTimeout, false);
    }

    LoadBalancer(String configName, Duration idleTimeout, boolean passThrough) {
        this.configName = configName;
        this.idleTimeout = idleTimeout;
        this.passThrough = passThrough;
    }

    /**
     * Whether this load balancer passes TCP flows through (L4) rather than proxying HTTP (L7): then the
     * server's keep-alive idle timeout must be shorter than {@link #idleTimeout()}, not longer.
     */
    public boolean passThrough() {
        return passThrough;
    }

    /** The name used in configuration, e.g. {@code aws-alb}. */
    public String configName() {
        return configName;
    }

    /** The idle timeout this load balancer applies to backend connections (or, pass-through, to TCP flows) by default. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The preset with this configuration name (case-insensitive), if any. */
    public static Optional<LoadBalancer> fromConfigName(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return Arrays.stream(values()).filter(lb -> lb.configName.equals(key)).findFirst();
    }

    /** All configuration names, comma-separated, for messages and docs. */
    public static String configNames() {
        return Arrays.stream(values()).map(LoadBalancer::configName).collect(Collectors.joining(", "));
    }
}
