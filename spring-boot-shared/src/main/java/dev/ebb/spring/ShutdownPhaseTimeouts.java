package dev.ebb.spring;

import dev.ebb.EbbConfig;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.support.DefaultLifecycleProcessor;

/**
 * Fits the context's lifecycle shutdown timeouts to Ebb's: Ebb's phase may take the deregistration
 * delay and the drain timeout (plus a margin), and Spring Boot's graceful shutdown phase gets the drain timeout, overriding
 * {@code spring.lifecycle.timeout-per-shutdown-phase} for those two phases only. Once Ebb has drained a server it
 * drives, Boot's graceful shutdown phase gets {@link #AFTER_EBB_DRAINED} instead: whatever is left then is a request
 * Ebb aborted at the drain timeout, which the server may still count as active (an async request whose
 * connection is gone) and would otherwise wait on for a second drain timeout, past the pod's grace period.
 */
final class ShutdownPhaseTimeouts implements BeanPostProcessor {

    /** Time allowed beyond the deregistration delay and the drain for Ebb's phase to report completion. */
    static final Duration MARGIN = Duration.ofSeconds(5);

    /** Boot's graceful shutdown phase once Ebb has drained the server: it has nothing left to wait for. */
    static final Duration AFTER_EBB_DRAINED = Duration.ofSeconds(1);

    private final ObjectProvider<EbbConfig> config;
    private volatile DefaultLifecycleProcessor processor;

    ShutdownPhaseTimeouts(ObjectProvider<EbbConfig> config) {
        this.config = config;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof DefaultLifecycleProcessor processor) {
            EbbConfig ebb = config.getIfAvailable();
            if (ebb != null && ebb.enabled()) {
                processor.setTimeoutForShutdownPhase(EbbLifecycle.PHASE, ebb.deregistrationDelay().plus(ebb.drainTimeout()).plus(MARGIN).toMillis());
                processor.setTimeoutForShutdownPhase(BootWeb.GRACEFUL_SHUTDOWN_PHASE,
                        ebb.drainTimeout().toMillis());
                this.processor = processor;
            }
        }
        return bean;
    }

    /**
     * Ebb has drained the server it drives: Boot's graceful shutdown phase, which runs next, gets
     * {@link #AFTER_EBB_DRAINED}. Spring reads a phase's timeout when the phase begins.
     */
    void serverDrainedByEbb() {
        DefaultLifecycleProcessor p = processor;
        if (p != null) {
            p.setTimeoutForShutdownPhase(BootWeb.GRACEFUL_SHUTDOWN_PHASE, AFTER_EBB_DRAINED.toMillis());
        }
    }
}
