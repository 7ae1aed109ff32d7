package dev.ebb.spi;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.EbbConfigException;
import dev.ebb.EbbListener;
import dev.ebb.IdleTimeoutPolicy;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import dev.ebb.internal.ArrivalHistory;
import dev.ebb.internal.Durations;
import dev.ebb.internal.SignalTrap;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
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
 * when the request is complete, whatever its outcome. These cost an atomic increment and a volatile read: no
 * lock, no allocation, no clock read while serving. Probe paths are answered with {@link #probeStatus(String)}.
 * Adapters also call {@link #connectionAccepted()} for every new connection (a volatile read while serving).
 *
 * <p>While serving, a timer samples the running total of requests every 100 ms into a one-minute history (on a
 * daemon thread, nothing written on the request path). While deregistering, Ebb notes when the last connection
 * and request arrived: the report says when the load balancer let go, and with
 * {@link EbbConfig#adaptiveDeregistration()} the delay ends once no request has arrived for a quiet window that
 * the history makes conclusive (never before {@link EbbConfig#minDeregistrationDelay()}).
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
    /** The least time an adapter operation gets, even with a zero deregistration delay. */
    private static final Duration MIN_ADAPTER_BUDGET = Duration.ofSeconds(1);
    /** The least time stopping the server gets. */
    private static final Duration MIN_STOP_BUDGET = Duration.ofMillis(500);
    /** How finely the last arrival while deregistering is timed. */
    private static final long ARRIVAL_RESOLUTION_NANOS = 1_000_000;
    /** No arrival noted. */
    private static final long NONE = Long.MIN_VALUE;

    private final EbbConfig config;
    private final ServerAdapter adapter;
    private final Scheduler scheduler;
    private final List<EbbListener> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<ShutdownReport> stopped = new CompletableFuture<>();

    private volatile Phase phase = Phase.SERVING;
    /** Requests started and finished so far: in flight is their difference; the sampler reads the first. */
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final ArrivalHistory history = new ArrivalHistory();
    /** Scheduler nanos of the last request and connection while deregistering, or {@link #NONE} (written only then). */
    private volatile long lastRequestNanos = NONE;
    private volatile long lastAcceptNanos = NONE;
    private volatile long lastRoutedConnectionNanos = NONE;
    private final LongAdder requestsWhileDeregistering = new LongAdder();
    private final LongAdder connectionCloseResponses = new LongAdder();
    private final LongAdder requestsCompletedWhileDraining = new LongAdder();
    private final AtomicLong openUpgrades = new AtomicLong();
    private final LongAdder upgradesClosedWhileDraining = new LongAdder();
    private final CompletableFuture<Void> draining = new CompletableFuture<>();

    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final AtomicBoolean drainOver = new AtomicBoolean();
    /**
     * DRAINING has told the adapter everything and recorded its counts: from now on the last request or upgraded
     * connection to close ends the drain. Before, the start of DRAINING checks for itself once it is done.
     */
    private volatile boolean drainArmed;
    private final AtomicBoolean unbalancedLogged = new AtomicBoolean();
    private Scheduler.Cancellable delayTask;
    private Scheduler.Cancellable samplerTask;
    private Scheduler.Cancellable quietTask;
    private Duration quietWindow;
    private boolean endedWhenQuiet;
    private Scheduler.Cancellable drainTimeoutTask;
    private boolean drainTimedOut;
    private boolean expedited;
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
        started.incrementAndGet();
        if (phase == Phase.DEREGISTERING) {
            arrivedWhileDeregistering();
        }
    }

    private void arrivedWhileDeregistering() {
        requestsWhileDeregistering.increment();
        long now = scheduler.nanoTime();
        long last = lastRequestNanos;
        // Written at most once per millisecond, so that busy threads do not all store to one cache line.
        if (last == NONE || now - last >= ARRIVAL_RESOLUTION_NANOS) {
            lastRequestNanos = now;
        }
        long accepted = lastAcceptNanos;
        if (accepted != NONE && accepted != lastRoutedConnectionNanos) {
            lastRoutedConnectionNanos = accepted;
        }
    }

    /**
     * The server accepted a new connection. Costs a volatile read while serving; while deregistering it notes
     * the time, for the report of when the load balancer let go.
     */
    public void connectionAccepted() {
        if (phase == Phase.DEREGISTERING) {
            lastAcceptNanos = scheduler.nanoTime();
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
        long done = finished.incrementAndGet();
        long left = started.get() - done;
        if (left < 0) {
            unbalanced("request", finished);
            return;
        }
        if (phase == Phase.DRAINING && !drainOver.get()) {
            requestsCompletedWhileDraining.increment();
            if (left <= 0 && openUpgrades.get() <= 0 && drainArmed) {
                endDrain(DrainEnd.LAST_REQUEST);
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
        if (left < 0) {
            unbalanced("upgraded connection", openUpgrades);
            return;
        }
        if (phase == Phase.DRAINING && !drainOver.get()) {
            upgradesClosedWhileDraining.increment();
            // A WebSocket may finish its closing handshake before closeUpgradedConnections() has returned.
            if (left <= 0 && inFlight() <= 0 && drainArmed) {
                endDrain(DrainEnd.LAST_REQUEST);
            }
        }
    }

    /** A finish without its start: an adapter bug. Logged once; the count is put back so the drain stays right. */
    private void unbalanced(String what, AtomicLong counter) {
        if (counter == finished) {
            counter.decrementAndGet();
        } else {
            counter.incrementAndGet();
        }
        if (unbalancedLogged.compareAndSet(false, true)) {
            log.error("ebb: the {} adapter reported a {} finished that was not started (or finished twice); the"
                    + " drain may end early. Please report this as a bug of the adapter.", adapter.serverName(), what,
                    new IllegalStateException("unbalanced " + what + " finish"));
        }
    }

    /**
     * The response a probe request for {@code path} gets, or {@code null} when {@code path} is not a probe
     * path (serve it normally). See {@link ProbeResponse} for the headers that go with it.
     */
    public ProbeResponse probe(String path) {
        int status = probeStatus(path);
        return status == 0 ? null : ProbeResponse.of(status);
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
        boolean passThrough = config.passThrough();
        // Proxy (L7): the server must keep idle connections longer than the load balancer. Pass-through (L4):
        // it must close them first, or the load balancer forgets the flow and the client's next request is reset.
        boolean wrong = passThrough
                ? current.timeout().map(t -> t.compareTo(lb.get()) >= 0).orElse(true)
                : current.timeout().map(t -> t.compareTo(lb.get()) <= 0).orElse(false);
        String lbText = config.loadBalancerLabel() + (passThrough ? " flow idle timeout " : " idle timeout ")
                + Durations.format(lb.get());
        String expected = passThrough
                ? "expected less than the " + lbText + " (a pass-through load balancer drops idle flows silently, and"
                        + " clients then send on dead connections and get resets)"
                : "expected more than the " + lbText + ", or the server closes pooled connections while the"
                        + " load balancer sends on them (502s)";
        String currentText = current.timeout().map(Durations::format).orElse("unlimited");
        IdleTimeoutPolicy policy = config.idleTimeoutPolicy();
        if (policy == IdleTimeoutPolicy.FAIL) {
            if (wrong) {
                throw new EbbConfigException("ebb.idle-timeout-policy=fail and the " + adapter.serverName()
                        + " keep-alive idle timeout is " + currentText
                        + (current.explicit() ? " (set by the application)" : " (the server's default)")
                        + ": " + expected + ". Fix: set the server's idle timeout to "
                        + Durations.format(target.get()) + (passThrough ? " or less" : " or more")
                        + ", or use ebb.idle-timeout-policy=raise.");
            }
            return Optional.empty();
        }
        if (current.explicit()) {
            if (wrong) {
                String message = "the " + adapter.serverName() + " keep-alive idle timeout was set by the application to "
                        + currentText + ": " + expected + "."
                        + " Fix: remove that setting so Ebb sets " + Durations.format(target.get())
                        + ", or set it " + (passThrough ? "below " : "above ") + Durations.format(lb.get())
                        + (policy == IdleTimeoutPolicy.WARN ? "." : ", or set ebb.idle-timeout-policy=warn to keep it.");
                if (policy == IdleTimeoutPolicy.WARN) {
                    log.warn("ebb: {}", message);
                    return Optional.empty();
                }
                throw new EbbConfigException(message);
            }
            return Optional.empty();
        }
        if (passThrough && !wrong) {
            return Optional.empty(); // the server's own already closes first: never stretch it
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
        if (config.adaptiveDeregistration() && config.deregistrationDelay().compareTo(config.minDeregistrationDelay()) > 0
                && !config.passThrough()) {
            synchronized (this) {
                if (phase == Phase.SERVING && samplerTask == null) {
                    samplerTask = scheduler.repeat(() -> history.sample(started.get()), ArrivalHistory.TICK);
                }
            }
        }
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
        String relation = config.passThrough() ? " < " : " > ";
        String lbKind = config.passThrough() ? " flow idle " : " ";
        String kind = config.passThrough() ? " (pass-through: the server closes idle connections first)" : "";
        if (keepAliveApplied != null && lb.isPresent()) {
            sb.append("server keep-alive ").append(Durations.format(keepAliveApplied)).append(relation)
                    .append(config.loadBalancerLabel()).append(lbKind).append(Durations.format(lb.get())).append(kind);
        } else if (lb.isPresent() && keepAliveFound != null) {
            sb.append("server keep-alive ")
                    .append(keepAliveFound.timeout().map(Durations::format).orElse("unlimited"))
                    .append(" (kept) vs ").append(config.loadBalancerLabel()).append(lbKind)
                    .append(Durations.format(lb.get())).append(kind);
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
        return inFlight();
    }

    private long inFlight() {
        long done = finished.get();
        return started.get() - done;
    }

    @Override
    public long upgradedConnections() {
        return openUpgrades.get();
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
        ArrivalHistory.Verdict verdict;
        synchronized (this) {
            shutdownStartNanos = scheduler.nanoTime();
            phase = Phase.DEREGISTERING;
            verdict = adaptiveQuietWindow();
            quietWindow = verdict.quiet().orElse(null);
        }
        log.info("ebb: DEREGISTERING: readiness down; serving every request with Connection: close for {}{}",
                Durations.format(config.deregistrationDelay()), verdict.quiet().map(q -> ", or until no request has"
                        + " arrived for " + Durations.format(q) + " (at least " + Durations.format(config.minDeregistrationDelay())
                        + ")").orElse(verdict.reason().isEmpty() ? "" : " (full delay: " + verdict.reason() + ")"));
        scheduler.execute(() -> {
            synchronized (this) {
                // Measured from the start of the shutdown, whatever the adapter does next.
                if (phase == Phase.DEREGISTERING && delayTask == null) {
                    delayTask = scheduler.schedule(this::beginDrain, config.deregistrationDelay());
                    if (quietWindow != null) {
                        checkQuiet();
                    }
                }
            }
            notifyPhase(Phase.SERVING, Phase.DEREGISTERING);
            Duration budget = config.deregistrationDelay().compareTo(MIN_ADAPTER_BUDGET) > 0
                    ? config.deregistrationDelay() : MIN_ADAPTER_BUDGET;
            callAdapter("start deregistering", () -> {
                adapter.startDeregistering();
                return 0;
            }, scheduler.nanoTime() + budget.toNanos());
        });
        return stopped;
    }

    @Override
    public void expedite() {
        synchronized (this) {
            if (phase == Phase.DEREGISTERING) {
                log.info("ebb: expedited: ending the deregistration delay now");
                expedited = true;
                if (delayTask != null) {
                    delayTask.cancel();
                }
                if (quietTask != null) {
                    quietTask.cancel();
                }
                delayTask = () -> { };
                scheduler.execute(this::beginDrain);
            } else if (phase == Phase.DRAINING) {
                log.info("ebb: expedited: aborting the drain now");
                scheduler.execute(() -> endDrain(DrainEnd.EXPEDITED));
            }
        }
    }

    // ---- the sequence, on the scheduler's thread ----

    /** Why the drain ended. */
    private enum DrainEnd { LAST_REQUEST, TIMEOUT, EXPEDITED }

    /**
     * The quiet window that may end this shutdown's delay early, from the history sampled while serving; empty
     * when adaptive deregistration is off or the traffic does not make a silence conclusive. Stops the sampler.
     */
    private ArrivalHistory.Verdict adaptiveQuietWindow() {
        if (samplerTask == null) {
            Duration delay = config.deregistrationDelay();
            boolean tooShort = config.adaptiveDeregistration() && !delay.isZero()
                    && delay.compareTo(config.minDeregistrationDelay()) <= 0;
            if (tooShort) {
                return new ArrivalHistory.Verdict(Optional.empty(), "the delay is not longer than ebb.min-deregistration-delay");
            }
            if (config.adaptiveDeregistration() && config.passThrough() && !delay.isZero()) {
                return new ArrivalHistory.Verdict(Optional.empty(), config.loadBalancerLabel() + " passes connections"
                        + " through: clients stay on their connections to other servers, so a silence here does not"
                        + " show that it stopped sending new ones");
            }
            return new ArrivalHistory.Verdict(Optional.empty(), "");
        }
        samplerTask.cancel();
        return history.quietWindow(config.deregistrationDelay());
    }

    /**
     * Ends the delay when no request has arrived for the quiet window and the least delay has passed; otherwise
     * checks again when that could first be the case. Each arrival only moves that time: no task per request.
     */
    private void checkQuiet() {
        long due;
        synchronized (this) {
            if (phase != Phase.DEREGISTERING || expedited) {
                return;
            }
            long last = lastRequestNanos == NONE ? shutdownStartNanos : Math.max(shutdownStartNanos, lastRequestNanos);
            due = Math.max(shutdownStartNanos + config.minDeregistrationDelay().toNanos(), last + quietWindow.toNanos());
            long wait = due - scheduler.nanoTime();
            if (wait > 0) {
                quietTask = scheduler.schedule(this::checkQuiet, Duration.ofNanos(wait));
                return;
            }
            endedWhenQuiet = true;
            if (delayTask != null) {
                delayTask.cancel();
            }
        }
        log.info("ebb: deregistering ended early: no request for {} (load balancer let go {} after the start of the"
                + " shutdown)", Durations.format(quietWindow), Durations.seconds(since(lastRequestNanos)));
        beginDrain();
    }

    /** Scheduler nanos of an arrival as time since the start of the shutdown; zero for {@link #NONE}. */
    private Duration since(long nanos) {
        return nanos == NONE ? Duration.ZERO : Duration.ofNanos(Math.max(0, nanos - shutdownStartNanos));
    }

    private void beginDrain() {
        long deadline;
        synchronized (this) {
            if (phase != Phase.DEREGISTERING) {
                return;
            }
            drainStartNanos = scheduler.nanoTime();
            deadline = drainStartNanos + config.drainTimeout().toNanos();
            phase = Phase.DRAINING;
            if (quietTask != null) {
                quietTask.cancel();
            }
            // Measured from the start of DRAINING: the adapter's calls below cannot push it back.
            drainTimeoutTask = scheduler.schedule(() -> endDrain(DrainEnd.TIMEOUT), config.drainTimeout());
        }
        if (stillSending()) {
            log.warn("ebb: {}", stillSendingWarning(since(lastRequestNanos), config.deregistrationDelay()));
        }
        notifyPhase(Phase.DEREGISTERING, Phase.DRAINING);
        draining.complete(null);
        callAdapter("close the listener", () -> {
            adapter.closeListeners();
            return 0;
        }, deadline);
        int idle = callAdapter("close idle connections", adapter::closeIdleConnections, deadline);
        int goingAway = callAdapter("close upgraded connections", adapter::closeUpgradedConnections, deadline);
        synchronized (this) {
            idleConnectionsClosed = idle;
            goingAwaySent = goingAway;
        }
        drainArmed = true;
        long left = inFlight();
        long upgrades = openUpgrades.get();
        log.info("ebb: DRAINING: stopped accepting, {} idle connections closed, {} requests in flight{} (timeout {})",
                idle, left, goingAway > 0 || upgrades > 0 ? ", " + goingAway + " WebSockets told 1001 going away" : "",
                Durations.format(config.drainTimeout()));
        if (left <= 0 && upgrades <= 0) {
            endDrain(DrainEnd.LAST_REQUEST);
        }
    }

    private void endDrain(DrainEnd why) {
        if (!drainOver.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            boolean open = inFlight() > 0 || openUpgrades.get() > 0;
            drainTimedOut = why == DrainEnd.TIMEOUT && open;
            expedited |= why == DrainEnd.EXPEDITED && open;
            if (drainTimeoutTask != null) {
                drainTimeoutTask.cancel();
            }
        }
        scheduler.execute(this::finish);
    }

    private void finish() {
        long stopStart = scheduler.nanoTime();
        // The stop margin of the grace period: aborting gets half of it, stopping the server the rest.
        long abortDeadline = stopStart + EbbConfig.STOP_MARGIN.toNanos() / 2;
        long stopDeadline = stopStart + EbbConfig.STOP_MARGIN.toNanos();
        long aborted = Math.max(0, inFlight());
        long upgradesAborted = Math.max(0, openUpgrades.get());
        boolean timedOut;
        boolean cutShort;
        synchronized (this) {
            timedOut = drainTimedOut;
            cutShort = expedited;
        }
        if (aborted > 0 || upgradesAborted > 0) {
            int connections = callAdapter("abort connections", adapter::abortConnections, abortDeadline);
            log.warn("ebb: drain {}: aborted {} requests and {} WebSockets on {} connections",
                    timedOut ? "timed out after " + Durations.format(config.drainTimeout()) : "cut short by a second signal",
                    aborted, upgradesAborted, connections);
        }
        Throwable stopError = stopServer(stopDeadline);
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
                    timedOut,
                    cutShort,
                    stopError,
                    arrival(lastRoutedConnectionNanos),
                    arrival(lastRequestNanos),
                    Optional.ofNullable(quietWindow),
                    endedWhenQuiet,
                    stillSending());
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
        Throwable error = stopServer(start + config.drainTimeout().plus(EbbConfig.STOP_MARGIN).toNanos());
        phase = Phase.STOPPED;
        stopped.complete(new ShutdownReport(Duration.ZERO, Duration.ZERO, Duration.ofNanos(scheduler.nanoTime() - start),
                0, 0, 0, 0, 0, 0, 0, false, false, error, Optional.empty(), Optional.empty(), Optional.empty(), false,
                false));
        scheduler.close();
    }

    /** The warning for a load balancer that still sent {@code last} after the start of the shutdown. */
    static String stillSendingWarning(Duration last, Duration delay) {
        return "the load balancer was still sending " + Durations.seconds(last) + " after SIGTERM; raise"
                + " ebb.deregistration-delay (now " + Durations.format(delay) + ")";
    }

    private Optional<Duration> arrival(long nanos) {
        return nanos == NONE ? Optional.empty() : Optional.of(since(nanos));
    }

    /**
     * Whether requests still arrived in the last second of a full delay (not one ended early or cut short): the
     * load balancer had not let go. Called once DEREGISTERING is over.
     */
    private synchronized boolean stillSending() {
        long last = lastRequestNanos;
        if (last == NONE || endedWhenQuiet || expedited) {
            return false;
        }
        if (config.deregistrationDelay().isZero() && !config.kubernetes()) {
            return false; // no delay asked for outside an orchestrator (a developer's Ctrl+C)
        }
        return drainStartNanos - last <= Duration.ofSeconds(1).toNanos();
    }

    /** Stops the server by {@code deadline}; returns why it failed, or {@code null}. */
    private Throwable stopServer(long deadline) {
        try {
            scheduler.call(() -> {
                adapter.stop();
                return 0;
            }, Duration.ofNanos(Math.max(MIN_STOP_BUDGET.toNanos(), deadline - scheduler.nanoTime())));
            return null;
        } catch (TimeoutException e) {
            log.error("ebb: {} did not stop within the stop margin; going on without it", adapter.serverName());
            return e;
        } catch (Exception | LinkageError e) {
            log.error("ebb: stopping {} failed", adapter.serverName(), e);
            return e;
        }
    }

    /**
     * Runs one adapter operation, giving up waiting for it at {@code deadline} (scheduler nanos): a blocked
     * server cannot push Ebb's deadlines back. Returns 0 when it failed or ran late.
     */
    private int callAdapter(String what, Callable<Integer> operation, long deadline) {
        long budget = deadline - scheduler.nanoTime();
        if (budget <= 0) {
            log.warn("ebb: no time left to {} on {}; skipped", what, adapter.serverName());
            return 0;
        }
        try {
            Integer n = scheduler.call(operation, Duration.ofNanos(budget));
            return n == null ? 0 : n;
        } catch (TimeoutException e) {
            log.warn("ebb: {} did not {} within {}; going on", adapter.serverName(), what,
                    Durations.format(Duration.ofNanos(budget)));
            return 0;
        } catch (Exception | LinkageError e) {
            log.warn("ebb: could not {} on {}; going on", what, adapter.serverName(), e);
            return 0;
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

}
