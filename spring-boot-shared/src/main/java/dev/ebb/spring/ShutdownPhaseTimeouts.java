package dev.ebb.spring;

import dev.ebb.EbbConfig;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.support.DefaultLifecycleProcessor;

/**
 * Fits the context's lifecycle shutdown timeouts to Ebb's: Ebb's phase may take the deregistration
 * delay and the drain timeout (plus a margin), and Spring Boot's graceful shutdown phase gets the drain timeout, overriding
 * {@code spring.lifecycle.timeout-per-shutdown-phase} for those two phases only.
 */
final class ShutdownPhaseTimeouts implements BeanPostProcessor {

    /** Time allowed beyond the deregistration delay and the drain for Ebb's phase to report completion. */
    static final Duration MARGIN = Duration.ofSeconds(5);

    private final ObjectProvider<EbbConfig> config;

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
            }
        }
        return bean;
    }
}
