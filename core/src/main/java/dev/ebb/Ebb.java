package dev.ebb;

import java.util.concurrent.CompletableFuture;

/**
 * The handle of one server's graceful shutdown, returned by an adapter's {@code install}.
 *
 * <p>On SIGTERM (or {@link #shutdown()}) readiness fails while the server keeps serving and asks every
 * peer to reconnect elsewhere, for the deregistration delay; then the listener closes, idle
 * connections close, in-flight requests drain (bounded by the drain timeout) and the server stops.
 * Thread-safe.
 */
public interface Ebb {

    /** The current phase. */
    Phase phase();

    /** Whether readiness passes: {@code true} only while {@link Phase#SERVING}. */
    boolean isReady();

    /** Whether liveness passes: {@code true} until {@link Phase#STOPPED}. */
    boolean isLive();

    /** Requests in flight now (probe requests excluded). */
    long inFlightRequests();

    /** Upgraded connections (WebSockets) open now; the drain waits for them too. */
    long upgradedConnections();

    /**
     * Runs {@code action} once when DRAINING begins (at once if it already has), on Ebb's shutdown thread,
     * before the listener closes. This is where an application ends its long responses — server-sent
     * event streams, long polls, streaming downloads — so that their clients reconnect to an instance that
     * stays; such responses count as in flight and are aborted at the drain timeout. An exception thrown by
     * {@code action} is logged. Never runs when Ebb is disabled.
     */
    Ebb onDraining(Runnable action);

    /**
     * Starts the shutdown, once: every call, from any thread, returns the same future, completed with
     * the report when the server has stopped. Never blocks.
     */
    CompletableFuture<ShutdownReport> shutdown();

    /**
     * Skips ahead, as a second SIGTERM does: while deregistering, ends the delay now; while draining,
     * aborts what is still in flight now. Does nothing in other phases.
     */
    void expedite();

    /** The report's future, also before {@link #shutdown()} is called. */
    CompletableFuture<ShutdownReport> stopped();

    /** Adds a listener of phase changes and of the report. */
    Ebb addListener(EbbListener listener);

    /** The configuration this instance runs with. */
    EbbConfig config();
}
