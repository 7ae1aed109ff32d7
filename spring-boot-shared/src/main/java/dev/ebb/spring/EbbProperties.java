package dev.ebb.spring;

import dev.ebb.EbbConfig;
import dev.ebb.IdleTimeoutPolicy;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;

/**
 * Ebb's {@code ebb.*} properties. They are those of {@link EbbConfig} and are validated by it at
 * start-up: a bad value stops the application with a message naming the property. A duration without
 * a unit is in seconds. Not thread-safe (bound once at start-up).
 */
@ConfigurationProperties("ebb")
public class EbbProperties {

    /**
     * Whether Ebb is enabled. When false, the application shuts down the way Spring Boot would without
     * Ebb.
     */
    private boolean enabled = true;

    /**
     * How long readiness fails while the server keeps serving every request (each with "Connection:
     * close"), before Spring Boot's graceful shutdown stops accepting. Defaults to 10s under Kubernetes
     * (KUBERNETES_SERVICE_HOST set), else 0s.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration deregistrationDelay;

    /**
     * Whether the deregistration delay may end early, once no request has arrived for a quiet window (3 times
     * the longest gap between arrivals in the last minute, at least 500ms) and the traffic before the shutdown
     * was dense enough to make that silence conclusive. Sparse or bursty traffic keeps the full delay.
     */
    private boolean adaptiveDeregistration = true;

    /**
     * The least time readiness fails when the deregistration delay ends early; should cover the load
     * balancer's health-check period. Never more than the delay.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration minDeregistrationDelay = Duration.ofSeconds(2);

    /**
     * Longest wait for in-flight requests once the server stops accepting; bounds Spring Boot's graceful
     * shutdown phase.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration drainTimeout = Duration.ofSeconds(15);

    /**
     * The pod's terminationGracePeriodSeconds. The deregistration delay plus the drain timeout plus 5s to
     * stop must fit in it.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration terminationGracePeriod = Duration.ofSeconds(30);

    /**
     * The load balancer in front of the application, a preset name such as aws-alb, gcp, nginx or envoy
     * (or none), whose idle timeout the server's keep-alive idle timeout must exceed.
     */
    private String loadBalancer;

    /**
     * The load balancer's idle timeout towards the application, when not given by ebb.load-balancer (or
     * to override it). The server's keep-alive idle timeout is set to it plus the larger of 5s and 10%.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration loadBalancerIdleTimeout;

    /**
     * What to do with a server keep-alive idle timeout at or below the load balancer's: raise it (fail
     * start-up when the application set it itself), fail, or warn and keep it.
     */
    private IdleTimeoutPolicy idleTimeoutPolicy = IdleTimeoutPolicy.RAISE;

    /**
     * Path of the readiness probe of Ebb's standalone adapters. Spring Boot applications use Actuator's
     * readiness health group instead.
     */
    private String readinessPath = "/ready";

    /**
     * Path of the liveness probe of Ebb's standalone adapters. Spring Boot applications use Actuator's
     * liveness health group instead.
     */
    private String livenessPath = "/live";

    /**
     * Whether Ebb takes SIGTERM and SIGINT: the shutdown sequence runs, the context is closed, and the JVM
     * exits 0 after a clean shutdown, 1 when requests or WebSockets were aborted or the server failed to
     * stop; a second signal expedites. When false, Spring Boot's shutdown hook closes the context, which
     * runs the same sequence, and the JVM exits with the signal's status (143 for SIGTERM).
     */
    private boolean handleSignals = true;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getDeregistrationDelay() {
        return deregistrationDelay;
    }

    public void setDeregistrationDelay(Duration deregistrationDelay) {
        this.deregistrationDelay = deregistrationDelay;
    }

    public boolean isAdaptiveDeregistration() {
        return adaptiveDeregistration;
    }

    public void setAdaptiveDeregistration(boolean adaptiveDeregistration) {
        this.adaptiveDeregistration = adaptiveDeregistration;
    }

    public Duration getMinDeregistrationDelay() {
        return minDeregistrationDelay;
    }

    public void setMinDeregistrationDelay(Duration minDeregistrationDelay) {
        this.minDeregistrationDelay = minDeregistrationDelay;
    }

    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    public Duration getTerminationGracePeriod() {
        return terminationGracePeriod;
    }

    public void setTerminationGracePeriod(Duration terminationGracePeriod) {
        this.terminationGracePeriod = terminationGracePeriod;
    }

    public String getLoadBalancer() {
        return loadBalancer;
    }

    public void setLoadBalancer(String loadBalancer) {
        this.loadBalancer = loadBalancer;
    }

    public Duration getLoadBalancerIdleTimeout() {
        return loadBalancerIdleTimeout;
    }

    public void setLoadBalancerIdleTimeout(Duration loadBalancerIdleTimeout) {
        this.loadBalancerIdleTimeout = loadBalancerIdleTimeout;
    }

    public IdleTimeoutPolicy getIdleTimeoutPolicy() {
        return idleTimeoutPolicy;
    }

    public void setIdleTimeoutPolicy(IdleTimeoutPolicy idleTimeoutPolicy) {
        this.idleTimeoutPolicy = idleTimeoutPolicy;
    }

    public String getReadinessPath() {
        return readinessPath;
    }

    public void setReadinessPath(String readinessPath) {
        this.readinessPath = readinessPath;
    }

    public String getLivenessPath() {
        return livenessPath;
    }

    public void setLivenessPath(String livenessPath) {
        this.livenessPath = livenessPath;
    }

    public boolean isHandleSignals() {
        return handleSignals;
    }

    public void setHandleSignals(boolean handleSignals) {
        this.handleSignals = handleSignals;
    }

    /**
     * The configuration these properties describe.
     *
     * @throws dev.ebb.EbbConfigException naming each bad property
     */
    public EbbConfig toConfig() {
        return toConfig(java.util.List.of());
    }

    /** As {@link #toConfig()}, refusing {@code unknown} properties along with any other problem. */
    EbbConfig toConfig(java.util.List<UnknownEbbProperties.Unknown> unknown) {
        EbbConfig.Builder builder = EbbConfig.builder()
                .enabled(enabled)
                .adaptiveDeregistration(adaptiveDeregistration)
                .loadBalancerIdleTimeout(loadBalancerIdleTimeout)
                .handleSignals(handleSignals);
        if (loadBalancer != null) {
            // Read by Ebb itself, so that a wrong name gets Ebb's message with the presets.
            builder.set("load-balancer", loadBalancer, "Spring property ebb.load-balancer");
        }
        if (deregistrationDelay != null) {
            builder.deregistrationDelay(deregistrationDelay);
        }
        if (minDeregistrationDelay != null) {
            builder.minDeregistrationDelay(minDeregistrationDelay);
        }
        if (drainTimeout != null) {
            builder.drainTimeout(drainTimeout);
        }
        if (terminationGracePeriod != null) {
            builder.terminationGracePeriod(terminationGracePeriod);
        }
        if (idleTimeoutPolicy != null) {
            builder.idleTimeoutPolicy(idleTimeoutPolicy);
        }
        if (readinessPath != null) {
            builder.readinessPath(readinessPath);
        }
        if (livenessPath != null) {
            builder.livenessPath(livenessPath);
        }
        for (UnknownEbbProperties.Unknown u : unknown) {
            builder.set(u.name(), u.value(), u.origin());
        }
        return builder.build();
    }
}
