package dev.ebb.spring;

import dev.ebb.EbbConfig;
import org.springframework.core.env.Environment;

/**
 * The paths health checks use on the application's port: Ebb's probe paths and Actuator's health endpoint
 * ({@code management.endpoints.web.base-path} + {@code /health}, and below). Their requests are not the load
 * balancer's traffic: the filters do not count them, so they neither hold the drain nor look like the load
 * balancer still sending. Immutable.
 */
final class HealthChecks {

    private final String readiness;
    private final String liveness;
    private final String actuatorHealth;

    private HealthChecks(String readiness, String liveness, String actuatorHealth) {
        this.readiness = readiness;
        this.liveness = liveness;
        this.actuatorHealth = actuatorHealth;
    }

    static HealthChecks of(EbbConfig config, Environment environment) {
        String base = environment.getProperty("management.endpoints.web.base-path", "/actuator");
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return new HealthChecks(config.readinessPath(), config.livenessPath(), base + "/health");
    }

    /** Whether a request for {@code path} is a health check. */
    boolean matches(String path) {
        if (path == null) {
            return false;
        }
        if (path.equals(readiness) || path.equals(liveness)) {
            return true;
        }
        return path.startsWith(actuatorHealth)
                && (path.length() == actuatorHealth.length() || path.charAt(actuatorHealth.length()) == '/');
    }
}
