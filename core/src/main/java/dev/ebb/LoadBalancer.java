package dev.ebb;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Load balancer presets ({@code ebb.load-balancer}) with the idle timeout each one applies to its
 * connections towards backends. The server's keep-alive idle timeout must be longer than this value.
 * Sources are listed in {@code docs/load-balancers.md}.
 */
public enum LoadBalancer {
    /** AWS Application Load Balancer: connection idle timeout 60 s by default. */
    AWS_ALB("aws-alb", Duration.ofSeconds(60)),
    /** AWS Network Load Balancer: TCP flow idle timeout 350 s. */
    AWS_NLB("aws-nlb", Duration.ofSeconds(350)),
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
    OCI("oci", Duration.ofSeconds(300));

    private final String configName;
    private final Duration idleTimeout;

    LoadBalancer(String configName, Duration idleTimeout) {
        this.configName = configName;
        this.idleTimeout = idleTimeout;
    }

    /** The name used in configuration, e.g. {@code aws-alb}. */
    public String configName() {
        return configName;
    }

    /** The idle timeout this load balancer applies to backend connections by default. */
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
