package dev.ebb;

/**
 * What Ebb does with the server's keep-alive idle timeout when a load balancer idle timeout is known
 * ({@code ebb.idle-timeout-policy}). The server's timeout must stay above the load balancer's, or the
 * server closes pooled connections while the load balancer sends on them (502s).
 */
public enum IdleTimeoutPolicy {
    /**
     * The default. A server timeout the application did not set is raised to the load balancer's plus
     * a margin; one the application set explicitly at or below the load balancer's stops start-up.
     */
    RAISE,
    /** Ebb never changes the server's timeout; start-up fails if it is at or below the load balancer's. */
    FAIL,
    /**
     * Like {@link #RAISE}, but an explicit server timeout at or below the load balancer's is only logged
     * as a warning and kept.
     */
    WARN;

    /** The name used in configuration: {@code raise}, {@code fail} or {@code warn}. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
