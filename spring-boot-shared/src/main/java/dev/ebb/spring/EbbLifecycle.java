package dev.ebb.spring;

import dev.ebb.EbbListener;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import dev.ebb.spi.EbbCore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Runs Ebb's shutdown when the context closes, one lifecycle phase before Spring Boot's graceful shutdown
 * of the web server: readiness goes to {@code REFUSING_TRAFFIC} and responses carry {@code Connection: close};
 * {@link #stop(Runnable)} reports completion once Ebb has drained the server (STOPPED), and Boot then stops it, its
 * own graceful shutdown phase cut to {@link ShutdownPhaseTimeouts#AFTER_EBB_DRAINED}. On a server Ebb drives
 * (Tomcat, Jetty, Reactor Netty) the drain closes the listener and idle connections and aborts at the drain timeout;
 * on another (Undertow under Boot 3) it waits for the requests in flight and the application's Spring WebSockets,
 * told 1001, and Boot's stop of the server is the abort. When the shutdown starts elsewhere than in the context's
 * close — Ebb took SIGTERM ({@code ebb.handle-signals}) or the application called {@code shutdown()} on the Ebb
 * bean — the same sequence runs and Ebb closes the context once it has drained the server; when Ebb takes signals,
 * before its {@code stopped()} future completes, so that a signal's exit follows the close and Boot's shutdown hook
 * then finds the context closed. Thread-safe.
 */
final class EbbLifecycle implements SmartLifecycle, ApplicationContextAware {

    /** Stops just before the web server's graceful shutdown phase. */
    static final int PHASE = BootWeb.GRACEFUL_SHUTDOWN_PHASE + 1;

    private final EbbCore core;
    private final BootServerAdapter adapter;
    private final ApplicationEventPublisher publisher;
    private final ShutdownPhaseTimeouts timeouts;
    /** Ebb reached STOPPED: completed before Ebb closes the context, so that this phase's stop never waits on it. */
    private final CompletableFuture<Void> ebbStopped = new CompletableFuture<>();
    private volatile ApplicationContext context;
    private volatile boolean running;
    /** The thread on which Ebb closes the context when it does not take signals, once started. */
    private volatile Thread closer;

    /** {@code timeouts} may be {@code null} when the application replaced the starter's. */
    EbbLifecycle(EbbCore core, BootServerAdapter adapter, ApplicationEventPublisher publisher,
            ShutdownPhaseTimeouts timeouts) {
        this.core = core;
        this.adapter = adapter;
        this.publisher = publisher;
        this.timeouts = timeouts;
        core.addListener(new EbbListener() {
            @Override
            public void onPhase(Phase from, Phase to) {
                if (to == Phase.DEREGISTERING && running) {
                    // Shut down through the Ebb bean rather than by closing the context.
                    AvailabilityChangeEvent.publish(publisher, EbbLifecycle.this, ReadinessState.REFUSING_TRAFFIC);
                }
            }

            @Override
            public void onStopped(ShutdownReport report) {
                ebbStopped.complete(null);
                if (running && context instanceof ConfigurableApplicationContext closing) {
                    if (core.config().handleSignals()) {
                        // On Ebb's thread, before its stopped() future completes, which a signal's exit awaits.
                        closing.close();
                    } else {
                        Thread t = new Thread(closing::close, "ebb-close-context");
                        closer = t;
                        t.start();
                    }
                }
            }
        });
    }

    /**
     * Waits until Ebb's own close of the context (after a shutdown started through the Ebb bean) is over.
     * Whoever else closes the context meanwhile must wait for it: Spring lets a second closer return at once
     * when the first one is waiting, before the context is closed.
     *
     * @return whether Ebb's close, if any, is over
     */
    boolean awaitContextClosed(long timeoutMillis) throws InterruptedException {
        Thread t = closer;
        if (t != null) {
            t.join(timeoutMillis);
            return !t.isAlive();
        }
        return true;
    }

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.context = applicationContext;
    }

    @Override
    public void start() {
        if (!running) {
            running = true;
            core.started();
            BootServerAdapter.WebSockets webSockets = adapter.webSockets();
            if (webSockets != null && !adapter.drivesServer()) {
                // The server does not report its upgraded connections: the sessions count as such, for the drain.
                webSockets.track(true);
            }
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
        if (core.phase() == Phase.SERVING) {
            AvailabilityChangeEvent.publish(publisher, this, ReadinessState.REFUSING_TRAFFIC);
        }
        CompletableFuture<ShutdownReport> stopped = core.shutdown();
        // Ebb's stopped() completes only after its listeners, one of which may be closing this context.
        CompletableFuture.anyOf(ebbStopped, stopped).whenComplete((report, error) -> {
            if (timeouts != null) {
                timeouts.serverDrainedByEbb();
            }
            callback.run();
        });
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

    /** Spring Framework 7's {@code SmartLifecycle} method (not in 6, hence no {@code @Override}): never paused. */
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
