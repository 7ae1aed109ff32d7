package dev.ebb.spi;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.EbbConfigException;
import dev.ebb.EbbListener;
import dev.ebb.IdleTimeoutPolicy;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import dev.ebb.internal.Durations;
import dev.ebb.internal.SignalTrap;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shutdown state machine of one server, which its adapter drives and users hold as {@link Ebb}.
 *
 * <p>Adapters call, per request: {@link #requestStarted()} when a request arrives (probe requests
 * excepted), {@link #closeConnection()} just before the response is committed (add
 * {@code Connection: close} when it returns {@code true}) and {@link #requestFinished()} exactly once
 * when the request is complete, whatever its outcome. These cost an atomic increment or decrement and
 * a volatile read: no lock, no allocation. Probe paths are answered with {@link #probeStatus(String)}.
 *
 * <p>A request whose connection is upgraded (a {@code 101 Switching Protocols} response, e.g. a WebSocket)
 * never gets {@code Connection: close}: adapters do not call {@link #closeConnection()} for a 101. They call
 * {@link #upgradeOpened()} once the upgrade is committed, before that request's {@link #requestFinished()},
 * and {@link #upgradeClosed()} once, when the upgraded connection closes. Upgraded connections are never
 * idle: the keep-alive timer and {@link ServerAdapter#closeIdleConnections()} leave them alone; at DRAINING
 * {@link ServerAdapter#closeUpgradedConnections()} sends each a close frame 1001 (going away), and the drain
 * waits for them as for requests in flight.
 *
 * <p>Once the server is configured, adapters call {@link #applyKeepAlive()} before it starts and
 * {@link #started()} after. All policy — phases, timing, counting, logging, signals — lives here.
 * Thread-safe.
 */
public final class EbbCore implements Ebb {

    private static final Logger log = LoggerFactory.getLogger(Ebb.class);

    private final EbbConfig config;
    private final ServerAdapter adapter;
    private final Scheduler scheduler;
    private final List<EbbListener> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<ShutdownReport> stopped = new CompletableFuture<>();

    private volatile Phase phase = Phase.SERVING;
    private final AtomicLong inFlight = new AtomicLong();
    private final LongAdder requestsWhileDeregistering = new LongAdder();
    private final LongAdder connectionCloseResponses = new LongAdder();
    private final LongAdder requestsCompletedWhileDraining = new LongAdder();
    private final AtomicLong openUpgrades = new AtomicLong();
    private final LongAdder upgradesClosedWhileDraining = new LongAdder();
    private final CompletableFuture<Void> draining = new CompletableFuture<>();

    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final AtomicBoolean drainOver = new AtomicBoolean();
    private Scheduler.Cancellable delayTask;
    private Scheduler.Cancellable drainTimeoutTask;
    private boolean drainTimedOut;
    private long shutdownStartNanos;
    private long drainStartNanos;
    private long idleConnectionsClosed;
    private long goingAwaySent;
    private Duration keepAliveApplied;
    private KeepAlive keepAliveFound;

    private EbbCore(EbbConfig config, ServerAdapter adapter, Scheduler scheduler) {
        this.config = Objects.requireNonNull(config, "config");
        this.adapter = Objects.requireNonNull(adapter, "adapter");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** A core for {@code adapter}'s server, on the system clock. */
    public static EbbCore create(EbbConfig config, ServerAdapter adapter) {
        return new EbbCore(config, adapter, Scheduler.system());
    }

    /** A core on the given scheduler (tests inject a manual clock). */
    public static EbbCore create(EbbConfig config, ServerAdapter adapter, Scheduler scheduler) {
        return new EbbCore(config, adapter, scheduler);
    }

    // ---- per-request hooks (hot path) ----

    /** A request arrived. Pair with exactly one {@link #requestFinished()}. */
    public void requestStarted() {
        inFlight.incrementAndGet();
        if (phase == Phase.DEREGISTERING) {
            requestsWhileDeregistering.increment();
        }
    }

    /**
     * Whether the response about to be committed must close its connection; counts it when so. Call it
     * once per response, just before commit, on HTTP/1 (HTTP/2 is told by GOAWAY).
     */
    public boolean closeConnection() {
        if (!closing()) {
            return false;
        }
        connectionCloseResponses.increment();
        return true;
    }

    /** Whether new responses are being told to close their connection now; counts nothing. */
    public boolean closing() {
        return phase != Phase.SERVING && config.enabled();
    }

    /** A request is complete (response sent, failed or aborted). */
    public void requestFinished() {
        long left = inFlight.decrementAndGet();
        if (phase == Phase.DRAINING && !drainOver.get()) {
            requestsCompletedWhileDraining.increment();
            if (left <= 0 && openUpgrades.get() <= 0) {
                endDrain(false);
            }
        }
    }

    /**
     * A request's connection was upgraded (101 committed, e.g. a WebSocket): it stays open, is never idle,
     * and the drain waits for it. Call before that request's {@link #requestFinished()}; pair with exactly
     * one {@link #upgradeClosed()}.
     */
    public void upgradeOpened() {
        openUpgrades.incrementAndGet();
    }

    /** An upgraded connection has closed, whoever closed it. */
    public void upgradeClosed() {
        long left = openUpgrades.decrementAndGet();
        if (phase == Phase.DRAINING && !drainOver.get()) {
            upgradesClosedWhileDraining.increment();
            if (left <= 0 && inFlight.get() <= 0) {
                endDrain(false);
            }
        }
    }

    /**
     * The status a probe request for {@code path} gets: 200 or 503 for the readiness path, 200 for the
     * liveness path, 0 when {@code path} is not a probe path (serve it normally).
     */
    public int probeStatus(String path) {
        if (config.readinessPath().equals(path)) {
            return isReady() ? 200 : 503;
        }
        if (config.livenessPath().equals(path)) {
            return isLive() ? 200 : 503;
        }
        return 0;
    }

    // ---- set-up ----

    /**
     * Decides the server's keep-alive idle timeout from the load balancer's and the policy, applies it
     * through the adapter, and returns it (empty when left alone). Call before the server starts.
     *
     * @throws EbbConfigException when the application set a timeout at or below the load balancer's
     *         (policy raise or fail), or the server's own is too short under policy fail
     */
    public Optional<Duration> applyKeepAlive() {
        if (!config.enabled()) {
            return Optional.empty();
        }
        KeepAlive current = adapter.keepAlive();
        keepAliveFound = current;
        Optional<Duration> lb = config.loadBalancerIdleTimeout();
        Optional<Duration> target = config.keepAliveTimeout();
        if (lb.isEmpty() || target.isEmpty()) {
            return Optional.empty();
        }
        boolean tooShort = current.timeout().map(t -> t.compareTo(lb.get()) <= 0).orElse(false);
        String lbText = config.loadBalancerLabel() + " idle timeout " + Durations.format(lb.get());
        IdleTimeoutPolicy policy = config.idleTimeoutPolicy();
        if (policy == IdleTimeoutPolicy.FAIL) {
            if (tooShort) {
                throw new EbbConfigException("ebb.idle-timeout-policy=fail and the " + adapter.serverName()
                        + " keep-alive idle timeout is " + Durations.format(current.timeout().get())
                        + (current.explicit() ? " (set by the application)" : " (the server's default)")
                        + ": expected more than the " + lbText + ", or the server closes pooled connections while the"
                        + " load balancer sends on them (502s). Fix: set the server's idle timeout to "
                        + Durations.format(target.get()) + " or more, or use ebb.idle-timeout-policy=raise.");
            }
            return Optional.empty();
        }
        if (current.explicit()) {
            if (tooShort) {
                String message = "the " + adapter.serverName() + " keep-alive idle timeout was set by the application to "
                        + Durations.format(current.timeout().get()) + ": expected more than the " + lbText
                        + ", or the server closes pooled connections while the load balancer sends on them (502s)."
                        + " Fix: remove that setting so Ebb sets " + Durations.format(target.get())
                        + ", or set it above " + Durations.format(lb.get())
                        + (policy == IdleTimeoutPolicy.WARN ? "." : ", or set ebb.idle-timeout-policy=warn to keep it.");
                if (policy == IdleTimeoutPolicy.WARN) {
                    log.warn("ebb: {}", message);
                    return Optional.empty();
                }
                throw new EbbConfigException(message);
            }
            return Optional.empty();
        }
        adapter.setKeepAliveTimeout(target.get());
        keepAliveApplied = target.get();
        return Optional.of(target.get());
    }

    /**
     * The server has started: logs the plan once and, when configured, takes SIGTERM and SIGINT.
     */
    public void started() {
        if (!config.enabled()) {
            log.info("ebb: disabled (ebb.enabled=false); {} stops the way it would without Ebb", adapter.serverName());
            return;
        }
        log.info("ebb: {}", plan());
        if (config.handleSignals()) {
            SignalTrap.register(this);
        }
    }

    /** The start-up plan line (without the {@code ebb: } prefix). */
    public String plan() {
        StringBuilder sb = new StringBuilder();
        sb.append(adapter.serverName()).append(": deregistration ").append(Durations.format(config.deregistrationDelay()));
        if (!config.kubernetes() && config.deregistrationDelay().isZero()) {
            sb.append(" (not under Kubernetes)");
        }
        sb.append(", drain ").append(Durations.format(config.drainTimeout()))
                .append(", grace ").append(Durations.format(config.terminationGracePeriod())).append("; ");
        Optional<Duration> lb = config.loadBalancerIdleTimeout();
        if (keepAliveApplied != null && lb.isPresent()) {
            sb.append("server keep-alive ").append(Durations.format(keepAliveApplied)).append(" > ")
                    .append(config.loadBalancerLabel()).append(' ').append(Durations.format(lb.get()));
        } else if (lb.isPresent() && keepAliveFound != null) {
            sb.append("server keep-alive ")
                    .append(keepAliveFound.timeout().map(Durations::format).orElse("unlimited"))
                    .append(" (kept) vs ").append(config.loadBalancerLabel()).append(' ').append(Durations.format(lb.get()));
        } else {
            sb.append("server keep-alive left as is (no ebb.load-balancer set)");
        }
        long grace = config.requiredGracePeriod().getSeconds() + (config.requiredGracePeriod().getNano() > 0 ? 1 : 0);
        sb.append("; set terminationGracePeriodSeconds >= ").append(grace);
        return sb.toString();
    }

    // ---- Ebb ----

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public boolean isReady() {
        return phase == Phase.SERVING;
    }

    @Override
    public boolean isLive() {
        return phase != Phase.STOPPED;
    }

    @Override
    public long inFlightRequests() {
        return Math.max(0, inFlight.get());
    }

    @Override
    public long upgradedConnections() {
        return Math.max(0, openUpgrades.get());
    }

    @Override
    public CompletableFuture<ShutdownReport> stopped() {
        return stopped;
    }

    @Override
    public Ebb onDraining(Runnable action) {
        Objects.requireNonNull(action, "action");
        draining.thenRun(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                log.warn("ebb: onDraining action {} failed", action, e);
            }
        });
        return this;
    }

    @Override
    public Ebb addListener(EbbListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    @Override
    public EbbConfig config() {
        return config;
    }

    @Override
    public CompletableFuture<ShutdownReport> shutdown() {
        if (!shutdownStarted.compareAndSet(false, true)) {
            return stopped;
        }
        if (!config.enabled()) {
            scheduler.execute(this::stopWithoutEbb);
            return stopped;
        }
        synchronized (this) {
            shutdownStartNanos = scheduler.nanoTime();
            phase = Phase.DEREGISTERING;
        }
        log.info("ebb: DEREGISTERING: readiness down; serving every request with Connection: close for {}",
                Durations.format(config.deregistrationDelay()));
        scheduler.execute(() -> {
            notifyPhase(Phase.SERVING, Phase.DEREGISTERING);
            safely("start deregistering", adapter::startDeregistering);
            synchronized (this) {
                if (phase == Phase.DEREGISTERING && delayTask == null) {
                    delayTask = scheduler.schedule(this::beginDrain, config.deregistrationDelay());
                }
            }
        });
        return stopped;
    }

    @Override
    public void expedite() {
        synchronized (this) {
            if (phase == Phase.DEREGISTERING) {
                log.info("ebb: expedited: ending the deregistration delay now");
                if (delayTask != null) {
                    delayTask.cancel();
                }
                delayTask = () -> { };
                scheduler.execute(this::beginDrain);
            } else if (phase == Phase.DRAINING) {
                log.info("ebb: expedited: aborting the drain now");
                scheduler.execute(() -> endDrain(true));
            }
        }
    }

    // ---- the sequence, on the scheduler's thread ----

    private void beginDrain() {
        synchronized (this) {
            if (phase != Phase.DEREGISTERING) {
                return;
            }
            drainStartNanos = scheduler.nanoTime();
            phase = Phase.DRAINING;
        }
        notifyPhase(Phase.DEREGISTERING, Phase.DRAINING);
        draining.complete(null);
        safely("close the listener", adapter::closeListeners);
        int[] closed = new int[2];
        safely("close idle connections", () -> closed[0] = adapter.closeIdleConnections());
        safely("close upgraded connections", () -> closed[1] = adapter.closeUpgradedConnections());
        synchronized (this) {
            idleConnectionsClosed = closed[0];
            goingAwaySent = closed[1];
        }
        long left = inFlight.get();
        long upgrades = openUpgrades.get();
        log.info("ebb: DRAINING: stopped accepting, {} idle connections closed, {} requests in flight{} (timeout {})",
                closed[0], left, closed[1] > 0 || upgrades > 0 ? ", " + closed[1] + " WebSockets told 1001 going away" : "",
                Durations.format(config.drainTimeout()));
        if (left <= 0 && upgrades <= 0) {
            endDrain(false);
            return;
        }
        Scheduler.Cancellable timeout = scheduler.schedule(() -> endDrain(true), config.drainTimeout());
        synchronized (this) {
            drainTimeoutTask = timeout;
        }
        if (drainOver.get()) {
            timeout.cancel();
        }
    }

    private void endDrain(boolean timedOut) {
        if (!drainOver.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            drainTimedOut = timedOut && (inFlight.get() > 0 || openUpgrades.get() > 0);
            if (drainTimeoutTask != null) {
                drainTimeoutTask.cancel();
            }
        }
        scheduler.execute(this::finish);
    }

    private void finish() {
        long stopStart = scheduler.nanoTime();
        long aborted = Math.max(0, inFlight.get());
        long upgradesAborted = Math.max(0, openUpgrades.get());
        if (aborted > 0 || upgradesAborted > 0) {
            int[] connections = new int[1];
            safely("abort connections", () -> connections[0] = adapter.abortConnections());
            log.warn("ebb: drain {}: aborted {} requests and {} WebSockets on {} connections",
                    drainTimedOut ? "timed out after " + Durations.format(config.drainTimeout()) : "cut short",
                    aborted, upgradesAborted, connections[0]);
        }
        Throwable stopError = stopServer();
        long end = scheduler.nanoTime();
        ShutdownReport report;
        synchronized (this) {
            phase = Phase.STOPPED;
            report = new ShutdownReport(
                    Duration.ofNanos(drainStartNanos - shutdownStartNanos),
                    Duration.ofNanos(stopStart - drainStartNanos),
                    Duration.ofNanos(end - stopStart),
                    requestsWhileDeregistering.sum(),
                    connectionCloseResponses.sum(),
                    idleConnectionsClosed,
                    requestsCompletedWhileDraining.sum(),
                    aborted,
                    Math.min(goingAwaySent, upgradesClosedWhileDraining.sum()),
                    upgradesAborted,
                    drainTimedOut || aborted > 0 || upgradesAborted > 0,
                    stopError);
        }
        notifyPhase(Phase.DRAINING, Phase.STOPPED);
        log.info("ebb: STOPPED: {}", report);
        for (EbbListener l : listeners) {
            try {
                l.onStopped(report);
            } catch (RuntimeException e) {
                log.warn("ebb: listener {} failed on the report", l, e);
            }
        }
        stopped.complete(report);
        scheduler.close();
    }

    private void stopWithoutEbb() {
        long start = scheduler.nanoTime();
        Throwable error = stopServer();
        phase = Phase.STOPPED;
        stopped.complete(new ShutdownReport(Duration.ZERO, Duration.ZERO, Duration.ofNanos(scheduler.nanoTime() - start),
                0, 0, 0, 0, 0, 0, 0, false, error));
        scheduler.close();
    }

    /** Stops the server; returns why it failed, or {@code null}. */
    private Throwable stopServer() {
        try {
            adapter.stop();
            return null;
        } catch (Exception | LinkageError e) {
            log.error("ebb: stopping {} failed", adapter.serverName(), e);
            return e;
        }
    }

    private void notifyPhase(Phase from, Phase to) {
        for (EbbListener l : listeners) {
            try {
                l.onPhase(from, to);
            } catch (RuntimeException e) {
                log.warn("ebb: listener {} failed on {} -> {}", l, from, to, e);
            }
        }
    }

    private void safely(String what, ThrowingRunnable action) {
        try {
            action.run();
        } catch (Exception | LinkageError e) {
            log.warn("ebb: could not {} on {}; going on", what, adapter.serverName(), e);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
