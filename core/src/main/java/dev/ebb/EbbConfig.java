package dev.ebb;

import dev.ebb.internal.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Ebb's configuration: immutable, validated once in {@link Builder#build()}, so a bad value fails at
 * start-up and never at shutdown.
 *
 * <p>Build it in code with {@link #builder()}, or read it with {@link #fromSystem()} from system
 * properties {@code ebb.*} and environment variables {@code EBB_*} (a system property wins over the
 * environment variable of the same setting; anything set on a builder after that wins over both):
 *
 * <table>
 * <caption>Settings</caption>
 * <tr><th>property</th><th>environment</th><th>default</th></tr>
 * <tr><td>{@code ebb.enabled}</td><td>{@code EBB_ENABLED}</td><td>{@code true}</td></tr>
 * <tr><td>{@code ebb.deregistration-delay}</td><td>{@code EBB_DEREGISTRATION_DELAY}</td>
 *     <td>{@code 10s} under Kubernetes ({@code KUBERNETES_SERVICE_HOST} set), else {@code 0s}</td></tr>
 * <tr><td>{@code ebb.adaptive-deregistration}</td><td>{@code EBB_ADAPTIVE_DEREGISTRATION}</td><td>{@code true}</td></tr>
 * <tr><td>{@code ebb.min-deregistration-delay}</td><td>{@code EBB_MIN_DEREGISTRATION_DELAY}</td><td>{@code 2s}</td></tr>
 * <tr><td>{@code ebb.drain-timeout}</td><td>{@code EBB_DRAIN_TIMEOUT}</td><td>{@code 15s}</td></tr>
 * <tr><td>{@code ebb.termination-grace-period}</td><td>{@code EBB_TERMINATION_GRACE_PERIOD}</td><td>{@code 30s}</td></tr>
 * <tr><td>{@code ebb.load-balancer}</td><td>{@code EBB_LOAD_BALANCER}</td><td>none</td></tr>
 * <tr><td>{@code ebb.load-balancer-idle-timeout}</td><td>{@code EBB_LOAD_BALANCER_IDLE_TIMEOUT}</td><td>the preset's</td></tr>
 * <tr><td>{@code ebb.idle-timeout-policy}</td><td>{@code EBB_IDLE_TIMEOUT_POLICY}</td><td>{@code raise}</td></tr>
 * <tr><td>{@code ebb.readiness-path}</td><td>{@code EBB_READINESS_PATH}</td><td>{@code /ready}</td></tr>
 * <tr><td>{@code ebb.liveness-path}</td><td>{@code EBB_LIVENESS_PATH}</td><td>{@code /live}</td></tr>
 * <tr><td>{@code ebb.handle-signals}</td><td>{@code EBB_HANDLE_SIGNALS}</td><td>{@code true}</td></tr>
 * </table>
 *
 * <p>Durations are written {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h} or in ISO-8601
 * ({@code PT10S}). Thread-safe (immutable).
 */
public final class EbbConfig {

    /** Time kept between the end of the drain and the pod's SIGKILL for stopping the server and the JVM. */
    public static final Duration STOP_MARGIN = Duration.ofSeconds(5);
    /** The smallest margin added to the load balancer's idle timeout for the server's keep-alive timeout. */
    public static final Duration MIN_KEEP_ALIVE_MARGIN = Duration.ofSeconds(5);

    static final Duration DEFAULT_KUBERNETES_DELAY = Duration.ofSeconds(10);
    static final Duration DEFAULT_MIN_DEREGISTRATION_DELAY = Duration.ofSeconds(2);
    static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(15);
    static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(30);

    /** Every property Ebb reads, without the {@code ebb.} prefix. */
    public static final List<String> PROPERTY_NAMES = List.of(
            "enabled", "deregistration-delay", "adaptive-deregistration", "min-deregistration-delay", "drain-timeout", "termination-grace-period", "load-balancer",
            "load-balancer-idle-timeout", "idle-timeout-policy", "readiness-path", "liveness-path",
            "handle-signals");

    private final boolean enabled;
    private final Duration deregistrationDelay;
    private final boolean deregistrationDelayExplicit;
    private final boolean adaptiveDeregistration;
    private final Duration minDeregistrationDelay;
    private final Duration drainTimeout;
    private final Duration terminationGracePeriod;
    private final LoadBalancer loadBalancer;
    private final Duration loadBalancerIdleTimeout;
    private final IdleTimeoutPolicy idleTimeoutPolicy;
    private final String readinessPath;
    private final String livenessPath;
    private final boolean handleSignals;
    private final boolean kubernetes;

    private EbbConfig(Builder b, Duration delay) {
        this.enabled = b.enabled;
        this.deregistrationDelay = delay;
        this.deregistrationDelayExplicit = b.deregistrationDelay != null;
        this.adaptiveDeregistration = b.adaptiveDeregistration;
        this.minDeregistrationDelay = b.minDeregistrationDelay;
        this.drainTimeout = b.drainTimeout;
        this.terminationGracePeriod = b.terminationGracePeriod;
        this.loadBalancer = b.loadBalancer;
        this.loadBalancerIdleTimeout = b.loadBalancerIdleTimeout;
        this.idleTimeoutPolicy = b.idleTimeoutPolicy;
        this.readinessPath = b.readinessPath;
        this.livenessPath = b.livenessPath;
        this.handleSignals = b.handleSignals;
        this.kubernetes = b.kubernetes;
    }

    /** A builder with every default; Kubernetes is detected from this process's environment. */
    public static Builder builder() {
        return new Builder(System.getenv("KUBERNETES_SERVICE_HOST") != null);
    }

    /** The defaults, for this process's environment. */
    public static EbbConfig defaults() {
        return builder().build();
    }

    /**
     * Reads {@code ebb.*} system properties and {@code EBB_*} environment variables.
     *
     * @throws EbbConfigException naming every bad or unknown setting
     */
    public static EbbConfig fromSystem() {
        return fromSources(System.getProperties(), System.getenv()).build();
    }

    /**
     * A builder preset from the given system properties and environment. A system property wins over the
     * environment variable of the same setting, which is then not read at all (so a malformed one that is
     * overridden is not an error). Errors are collected and thrown by {@link Builder#build()}.
     */
    public static Builder fromSources(Properties systemProperties, Map<String, String> environment) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String name : systemProperties.stringPropertyNames()) {
            props.put(name, systemProperties.getProperty(name));
        }
        return fromSources(props, environment);
    }

    /** As {@link #fromSources(Properties, Map)}, with the system properties as a map. */
    public static Builder fromSources(Map<String, String> systemProperties, Map<String, String> environment) {
        Builder b = new Builder(environment.get("KUBERNETES_SERVICE_HOST") != null);
        environment.forEach((key, value) -> {
            if (key.startsWith("EBB_")) {
                String name = key.substring(4).toLowerCase(Locale.ROOT).replace('_', '-');
                if (systemProperties.containsKey("ebb." + name)) {
                    return; // overridden by the system property
                }
                // Other tools may use the prefix too (EBB_HOME, a CI's EBB_E2E): only names that are
                // settings, or look like a misspelt one, are taken; a misspelt one is an error.
                if (PROPERTY_NAMES.contains(name) || !Builder.suggestion(name).isEmpty()) {
                    b.set(name, value, "environment variable " + key);
                }
            }
        });
        systemProperties.forEach((key, value) -> {
            if (key.startsWith("ebb.")) {
                b.set(key.substring(4), value, "system property " + key);
            }
        });
        return b;
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder(kubernetes);
        b.enabled = enabled;
        b.deregistrationDelay = deregistrationDelayExplicit ? deregistrationDelay : null;
        b.adaptiveDeregistration = adaptiveDeregistration;
        b.minDeregistrationDelay = minDeregistrationDelay;
        b.drainTimeout = drainTimeout;
        b.terminationGracePeriod = terminationGracePeriod;
        b.loadBalancer = loadBalancer;
        b.loadBalancerIdleTimeout = loadBalancerIdleTimeout;
        b.idleTimeoutPolicy = idleTimeoutPolicy;
        b.readinessPath = readinessPath;
        b.livenessPath = livenessPath;
        b.handleSignals = handleSignals;
        return b;
    }

    /** Whether Ebb is on ({@code ebb.enabled}); when off the server stops the way it would without Ebb. */
    public boolean enabled() {
        return enabled;
    }

    /** How long readiness fails while the server keeps serving, before the listener closes. */
    public Duration deregistrationDelay() {
        return deregistrationDelay;
    }

    /**
     * Whether the deregistration delay may end early, once no request has arrived for a quiet window that the
     * traffic seen before the shutdown makes conclusive; {@code true} by default. See
     * {@code docs/load-balancers.md}, "When the load balancer lets go".
     */
    public boolean adaptiveDeregistration() {
        return adaptiveDeregistration;
    }

    /**
     * The least time in DEREGISTERING when it ends early (never more than the delay itself); 2 s by default. It
     * covers a readiness or health-check period of the load balancer.
     */
    public Duration minDeregistrationDelay() {
        return minDeregistrationDelay;
    }

    /** The longest wait for in-flight requests once the listener is closed. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** The pod's {@code terminationGracePeriodSeconds}; delay + drain + {@link #STOP_MARGIN} fit in it. */
    public Duration terminationGracePeriod() {
        return terminationGracePeriod;
    }

    /** The load balancer preset, if one was named. */
    public Optional<LoadBalancer> loadBalancer() {
        return Optional.ofNullable(loadBalancer);
    }

    /** The load balancer's idle timeout: the one configured, else the preset's, else empty. */
    public Optional<Duration> loadBalancerIdleTimeout() {
        if (loadBalancerIdleTimeout != null) {
            return Optional.of(loadBalancerIdleTimeout);
        }
        return loadBalancer().map(LoadBalancer::idleTimeout);
    }

    /** The idle-timeout policy; {@link IdleTimeoutPolicy#RAISE} by default. */
    public IdleTimeoutPolicy idleTimeoutPolicy() {
        return idleTimeoutPolicy;
    }

    /**
     * The keep-alive idle timeout Ebb gives the server: the load balancer's plus the larger of 5 s and
     * 10 % (in front of a pass-through load balancer: minus that margin, at least 1 s); empty when no load
     * balancer idle timeout is known.
     */
    public Optional<Duration> keepAliveTimeout() {
        return loadBalancerIdleTimeout().map(lb -> {
            Duration tenth = lb.dividedBy(10);
            Duration margin = tenth.compareTo(MIN_KEEP_ALIVE_MARGIN) > 0 ? tenth : MIN_KEEP_ALIVE_MARGIN;
            if (passThrough()) {
                Duration below = lb.minus(margin);
                return below.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : below;
            }
            return lb.plus(margin);
        });
    }

    /**
     * Whether the load balancer in front passes TCP flows through (L4, e.g. {@code aws-nlb}, {@code azure-lb}):
     * then the server must close idle connections before the load balancer's flow idle timeout. Known from
     * the preset; an idle timeout given without a preset is a proxy's (L7).
     */
    public boolean passThrough() {
        return loadBalancer().map(LoadBalancer::passThrough).orElse(false);
    }

    /** A label for the load balancer in log lines: the preset's name, or {@code load balancer}. */
    public String loadBalancerLabel() {
        return loadBalancer().map(LoadBalancer::configName).orElse("load balancer");
    }

    /** The path of the built-in readiness probe of the standalone adapters. */
    public String readinessPath() {
        return readinessPath;
    }

    /** The path of the built-in liveness probe of the standalone adapters. */
    public String livenessPath() {
        return livenessPath;
    }

    /** Whether Ebb takes SIGTERM and SIGINT itself (standalone adapters); {@code true} by default. */
    public boolean handleSignals() {
        return handleSignals;
    }

    /** Whether this process runs under Kubernetes, as detected when the configuration was built. */
    public boolean kubernetes() {
        return kubernetes;
    }

    /** The smallest {@code terminationGracePeriodSeconds} this configuration fits in. */
    public Duration requiredGracePeriod() {
        return deregistrationDelay.plus(drainTimeout).plus(STOP_MARGIN);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EbbConfig)) {
            return false;
        }
        EbbConfig c = (EbbConfig) o;
        return enabled == c.enabled && handleSignals == c.handleSignals && kubernetes == c.kubernetes
                && deregistrationDelayExplicit == c.deregistrationDelayExplicit
                && deregistrationDelay.equals(c.deregistrationDelay) && drainTimeout.equals(c.drainTimeout)
                && adaptiveDeregistration == c.adaptiveDeregistration
                && minDeregistrationDelay.equals(c.minDeregistrationDelay)
                && terminationGracePeriod.equals(c.terminationGracePeriod) && loadBalancer == c.loadBalancer
                && Objects.equals(loadBalancerIdleTimeout, c.loadBalancerIdleTimeout)
                && idleTimeoutPolicy == c.idleTimeoutPolicy && readinessPath.equals(c.readinessPath)
                && livenessPath.equals(c.livenessPath);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, deregistrationDelay, adaptiveDeregistration, minDeregistrationDelay, drainTimeout, terminationGracePeriod, loadBalancer,
                loadBalancerIdleTimeout, idleTimeoutPolicy, readinessPath, livenessPath, handleSignals);
    }

    @Override
    public String toString() {
        return "EbbConfig{enabled=" + enabled
                + ", deregistration-delay=" + Durations.format(deregistrationDelay)
                + (deregistrationDelayExplicit ? "" : (kubernetes ? " (Kubernetes default)" : " (default outside Kubernetes)"))
                + ", adaptive-deregistration=" + adaptiveDeregistration
                + ", min-deregistration-delay=" + Durations.format(minDeregistrationDelay)
                + ", drain-timeout=" + Durations.format(drainTimeout)
                + ", termination-grace-period=" + Durations.format(terminationGracePeriod)
                + ", load-balancer=" + (loadBalancer == null ? "none" : loadBalancer.configName())
                + ", load-balancer-idle-timeout=" + loadBalancerIdleTimeout().map(Durations::format).orElse("none")
                + ", idle-timeout-policy=" + idleTimeoutPolicy.configName()
                + ", readiness-path=" + readinessPath + ", liveness-path=" + livenessPath
                + ", handle-signals=" + handleSignals + "}";
    }

    /**
     * Builds an {@link EbbConfig}. Every setter takes a value as the property would; {@link #build()}
     * validates all of them at once. Not thread-safe.
     */
    public static final class Builder {
        private boolean enabled = true;
        private Duration deregistrationDelay;
        private boolean adaptiveDeregistration = true;
        private Duration minDeregistrationDelay = DEFAULT_MIN_DEREGISTRATION_DELAY;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration terminationGracePeriod = DEFAULT_GRACE_PERIOD;
        private LoadBalancer loadBalancer;
        private Duration loadBalancerIdleTimeout;
        private IdleTimeoutPolicy idleTimeoutPolicy = IdleTimeoutPolicy.RAISE;
        private String readinessPath = "/ready";
        private String livenessPath = "/live";
        private boolean handleSignals = true;
        private boolean kubernetes;
        private final Map<String, String> sources = new LinkedHashMap<>();
        private final List<String> errors = new ArrayList<>();

        Builder(boolean kubernetes) {
            this.kubernetes = kubernetes;
        }

        /** Whether Ebb is on; {@code true} by default. */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return source("enabled", "builder");
        }

        /** Time in DEREGISTERING; 10 s under Kubernetes, else 0 s, by default. */
        public Builder deregistrationDelay(Duration delay) {
            this.deregistrationDelay = Objects.requireNonNull(delay, "deregistrationDelay");
            return source("deregistration-delay", "builder");
        }

        /**
         * Whether DEREGISTERING may end before the delay once the traffic shows the load balancer has let go;
         * {@code true} by default.
         */
        public Builder adaptiveDeregistration(boolean adaptive) {
            this.adaptiveDeregistration = adaptive;
            return source("adaptive-deregistration", "builder");
        }

        /** The least time in DEREGISTERING when it ends early; 2 s by default. */
        public Builder minDeregistrationDelay(Duration min) {
            this.minDeregistrationDelay = Objects.requireNonNull(min, "minDeregistrationDelay");
            return source("min-deregistration-delay", "builder");
        }

        /** Longest wait for in-flight requests; 15 s by default. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Objects.requireNonNull(timeout, "drainTimeout");
            return source("drain-timeout", "builder");
        }

        /** The pod's termination grace period; 30 s by default. */
        public Builder terminationGracePeriod(Duration gracePeriod) {
            this.terminationGracePeriod = Objects.requireNonNull(gracePeriod, "terminationGracePeriod");
            return source("termination-grace-period", "builder");
        }

        /** The load balancer in front, or {@code null} for none (the default). */
        public Builder loadBalancer(LoadBalancer loadBalancer) {
            this.loadBalancer = loadBalancer;
            return source("load-balancer", "builder");
        }

        /** The load balancer's idle timeout, overriding the preset's; {@code null} for none. */
        public Builder loadBalancerIdleTimeout(Duration idleTimeout) {
            this.loadBalancerIdleTimeout = idleTimeout;
            return source("load-balancer-idle-timeout", "builder");
        }

        /** What to do with the server's keep-alive timeout; {@link IdleTimeoutPolicy#RAISE} by default. */
        public Builder idleTimeoutPolicy(IdleTimeoutPolicy policy) {
            this.idleTimeoutPolicy = Objects.requireNonNull(policy, "idleTimeoutPolicy");
            return source("idle-timeout-policy", "builder");
        }

        /** Path of the readiness probe; {@code /ready} by default. */
        public Builder readinessPath(String path) {
            this.readinessPath = Objects.requireNonNull(path, "readinessPath");
            return source("readiness-path", "builder");
        }

        /** Path of the liveness probe; {@code /live} by default. */
        public Builder livenessPath(String path) {
            this.livenessPath = Objects.requireNonNull(path, "livenessPath");
            return source("liveness-path", "builder");
        }

        /** Whether Ebb takes SIGTERM and SIGINT; {@code true} by default. */
        public Builder handleSignals(boolean handleSignals) {
            this.handleSignals = handleSignals;
            return source("handle-signals", "builder");
        }

        /** Overrides Kubernetes detection, which decides the default deregistration delay. */
        public Builder kubernetes(boolean kubernetes) {
            this.kubernetes = kubernetes;
            return this;
        }

        /**
         * Sets one setting from its text form, as a property file would ({@code name} without the
         * {@code ebb.} prefix, e.g. {@code drain-timeout}). Errors are reported by {@link #build()}.
         *
         * @param origin where the value comes from, for error messages (e.g. "system property ebb.x")
         */
        public Builder set(String name, String value, String origin) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            String v = value.trim();
            switch (name) {
                case "enabled":
                    parseBoolean(name, v, origin).ifPresent(this::enabled);
                    break;
                case "handle-signals":
                    parseBoolean(name, v, origin).ifPresent(this::handleSignals);
                    break;
                case "deregistration-delay":
                    parseDuration(name, v, origin, "10s").ifPresent(this::deregistrationDelay);
                    break;
                case "adaptive-deregistration":
                    parseBoolean(name, v, origin).ifPresent(this::adaptiveDeregistration);
                    break;
                case "min-deregistration-delay":
                    parseDuration(name, v, origin, "2s").ifPresent(this::minDeregistrationDelay);
                    break;
                case "drain-timeout":
                    parseDuration(name, v, origin, "15s").ifPresent(this::drainTimeout);
                    break;
                case "termination-grace-period":
                    parseDuration(name, v, origin, "30s").ifPresent(this::terminationGracePeriod);
                    break;
                case "load-balancer-idle-timeout":
                    parseDuration(name, v, origin, "60s").ifPresent(this::loadBalancerIdleTimeout);
                    break;
                case "load-balancer":
                    if (v.isEmpty() || v.equalsIgnoreCase("none")) {
                        loadBalancer(null);
                    } else {
                        Optional<LoadBalancer> lb = LoadBalancer.fromConfigName(v);
                        if (lb.isPresent()) {
                            loadBalancer(lb.get());
                        } else {
                            error(name, origin, v, "one of " + LoadBalancer.configNames(),
                                    "use one of those names, or leave it out and set ebb.load-balancer-idle-timeout to your"
                                            + " load balancer's idle timeout");
                        }
                    }
                    break;
                case "idle-timeout-policy":
                    try {
                        idleTimeoutPolicy(IdleTimeoutPolicy.valueOf(v.toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        error(name, origin, v, "raise, fail or warn", "set it to raise (the default), fail or warn");
                    }
                    break;
                case "readiness-path":
                    readinessPath(v);
                    break;
                case "liveness-path":
                    livenessPath(v);
                    break;
                default:
                    String known = String.join(", ", PROPERTY_NAMES);
                    errors.add(origin + " is not an Ebb setting (value \"" + v + "\"): expected one of " + known
                            + suggestion(name) + ". Fix: correct or remove it.");
                    return this;
            }
            sources.put(name, origin);
            return this;
        }

        /**
         * Validates every value and builds the configuration.
         *
         * @throws EbbConfigException listing every problem, each with the property, the value given,
         *         what was expected and the fix
         */
        public EbbConfig build() {
            List<String> problems = new ArrayList<>(errors);
            Duration delay = deregistrationDelay != null ? deregistrationDelay
                    : (kubernetes ? DEFAULT_KUBERNETES_DELAY : Duration.ZERO);
            nonNegative(problems, "deregistration-delay", delay, "0s, or the time your load balancer needs to stop"
                    + " sending new requests (e.g. 10s)");
            nonNegative(problems, "min-deregistration-delay", minDeregistrationDelay, "a load balancer's health-check"
                    + " period (2s by default)");
            nonNegative(problems, "drain-timeout", drainTimeout, "e.g. 15s");
            if (terminationGracePeriod.isNegative() || terminationGracePeriod.isZero()) {
                problems.add(describe("termination-grace-period", terminationGracePeriod)
                        + ": expected a positive duration. Fix: set it to the pod's terminationGracePeriodSeconds"
                        + " (Kubernetes' default is 30s).");
            }
            if (loadBalancerIdleTimeout != null && (loadBalancerIdleTimeout.isNegative() || loadBalancerIdleTimeout.isZero())) {
                problems.add(describe("load-balancer-idle-timeout", loadBalancerIdleTimeout)
                        + ": expected a positive duration. Fix: set it to your load balancer's idle timeout"
                        + " (e.g. 60s for AWS ALB) or leave it out.");
            }
            path(problems, "readiness-path", readinessPath);
            path(problems, "liveness-path", livenessPath);
            if (readinessPath.equals(livenessPath)) {
                problems.add("ebb.readiness-path and ebb.liveness-path are both \"" + readinessPath
                        + "\": expected two different paths, since readiness fails during shutdown and liveness"
                        + " does not. Fix: e.g. /ready and /live.");
            }
            if (problems.isEmpty() && enabled) {
                Duration needed = delay.plus(drainTimeout).plus(STOP_MARGIN);
                if (needed.compareTo(terminationGracePeriod) > 0) {
                    problems.add("ebb.termination-grace-period=" + Durations.format(terminationGracePeriod)
                            + sourceSuffix("termination-grace-period")
                            + " is shorter than ebb.deregistration-delay (" + Durations.format(delay)
                            + ") + ebb.drain-timeout (" + Durations.format(drainTimeout) + ") + "
                            + Durations.format(STOP_MARGIN) + " to stop: expected at least " + Durations.format(needed)
                            + ", or the kubelet kills the JVM mid-drain. Fix: set terminationGracePeriodSeconds: "
                            + ceilSeconds(needed) + " on the pod and ebb.termination-grace-period=" + ceilSeconds(needed)
                            + "s, or shorten the delay or the drain timeout.");
                }
            }
            if (!problems.isEmpty()) {
                throw new EbbConfigException(problems);
            }
            return new EbbConfig(this, delay);
        }

        private Builder source(String name, String origin) {
            sources.put(name, origin);
            return this;
        }

        private String sourceSuffix(String name) {
            String origin = sources.get(name);
            return origin == null || "builder".equals(origin) ? "" : " (from " + origin + ")";
        }

        private String describe(String name, Duration value) {
            return "ebb." + name + "=" + Durations.format(value) + sourceSuffix(name);
        }

        private void nonNegative(List<String> problems, String name, Duration value, String example) {
            if (value.isNegative()) {
                problems.add(describe(name, value) + ": expected a duration of 0s or more. Fix: set it to " + example + ".");
            }
        }

        private void path(List<String> problems, String name, String value) {
            if (!value.startsWith("/") || value.contains("?") || value.contains("#") || value.chars().anyMatch(Character::isWhitespace)) {
                problems.add("ebb." + name + "=\"" + value + "\"" + sourceSuffix(name)
                        + ": expected an absolute path such as /ready, without query or spaces. Fix: start it with /"
                        + " and remove anything after ? or #.");
            }
        }

        private Optional<Boolean> parseBoolean(String name, String v, String origin) {
            if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                return Optional.of(Boolean.parseBoolean(v.toLowerCase(Locale.ROOT)));
            }
            error(name, origin, v, "true or false", "set it to true or false");
            return Optional.empty();
        }

        private Optional<Duration> parseDuration(String name, String v, String origin, String example) {
            try {
                return Optional.of(Durations.parse(v));
            } catch (IllegalArgumentException | ArithmeticException e) {
                String fix = v.matches("\\d+") ? "add a unit, e.g. " + v + "s or " + v + "ms" : "write it like " + example;
                error(name, origin, v, "a duration such as 500ms, 10s, 2m or PT10S", fix);
                return Optional.empty();
            }
        }

        private void error(String name, String origin, String value, String expected, String fix) {
            errors.add("ebb." + name + "=\"" + value + "\" (from " + origin + "): expected " + expected + ". Fix: " + fix + ".");
        }

        static String suggestion(String name) {
            String best = null;
            int bestDistance = Integer.MAX_VALUE;
            for (String known : PROPERTY_NAMES) {
                int d = distance(name, known);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = known;
                }
            }
            return bestDistance <= 3 ? " (did you mean ebb." + best + "?)" : "";
        }

        private static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1];
            int[] cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                prev[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }

        private static long ceilSeconds(Duration d) {
            long s = d.getSeconds();
            return d.getNano() > 0 ? s + 1 : s;
        }
    }
}
