package dev.ebb.spring;

import dev.ebb.EbbListener;
import dev.ebb.Phase;
import dev.ebb.spi.EbbCore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Runs Ebb's DEREGISTERING phase when the context closes, one lifecycle phase before Spring Boot's
 * graceful shutdown of the web server: readiness goes to {@code REFUSING_TRAFFIC}, responses carry
 * {@code Connection: close}, and {@link #stop(Runnable)} reports completion only once the deregistration
 * delay is over. Boot then stops accepting and drains. Where Ebb reaches the server's connections itself
 * (Reactor Netty), Ebb stops accepting and drains, and completion is reported once Ebb has stopped, so that
 * Boot stops the server only after the drain (WebSocket closing handshakes included). When the application calls {@code Ebb.shutdown()}
 * itself, the same sequence runs: readiness goes down as DEREGISTERING begins, and the context is closed
 * when DRAINING begins. Thread-safe.
 */
final class EbbLifecycle implements SmartLifecycle, ApplicationContextAware {

    /** Stops just before the web server's graceful shutdown phase. */
    static final int PHASE = WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;

    private final EbbCore core;
    private final ApplicationEventPublisher publisher;
    private final CompletableFuture<Void> deregistered = new CompletableFuture<>();
    private volatile boolean running;
    private volatile ApplicationContext context;

    EbbLifecycle(EbbCore core, ApplicationEventPublisher publisher, BootServerAdapter adapter) {
        this.core = core;
        this.publisher = publisher;
        core.stopped().whenComplete((report, error) -> deregistered.complete(null));
        core.addListener(new EbbListener() {
            @Override
            public void onPhase(Phase from, Phase to) {
                // Still running: Ebb.shutdown() was called by the application, not by this lifecycle.
                if (to == Phase.DEREGISTERING && running) {
                    AvailabilityChangeEvent.publish(publisher, EbbLifecycle.this, ReadinessState.REFUSING_TRAFFIC);
                }
                if (from == Phase.DEREGISTERING) {
                    if (adapter.connections() == BootServerAdapter.Connections.NONE) {
                        deregistered.complete(null);
                    }
                    if (running && context instanceof ConfigurableApplicationContext closeable) {
                        Thread closer = new Thread(closeable::close, "ebb-context-close");
                        closer.start();
                    }
                }
            }
        });
    }

    @Override
    public void setApplicationContext(ApplicationContext context) {
        this.context = context;
    }

    @Override
    public void start() {
        if (!running) {
            running = true;
            core.started();
        }
    }

    @Override
    public void stop(Runnable callback) {
        if (!running) {
            // Never started (e.g. the context failed to refresh): nothing to deregister.
            callback.run();
            return;
        }
        running = false;
        AvailabilityChangeEvent.publish(publisher, this, ReadinessState.REFUSING_TRAFFIC);
        core.shutdown();
        if (core.phase() == Phase.SERVING) {
            deregistered.complete(null); // Ebb disabled
        }
        deregistered.whenComplete((ignored, error) -> callback.run());
    }

    @Override
    public void stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        stop(() -> done.complete(null));
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean isPauseable() {
        return false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
