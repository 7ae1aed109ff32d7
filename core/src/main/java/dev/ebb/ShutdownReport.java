package dev.ebb;

import dev.ebb.internal.Durations;
import java.time.Duration;

/**
 * What one shutdown did: time in each phase and what happened to requests and connections. Logged as
 * one line when the server has stopped. Immutable.
 *
 * @param deregistering time spent in {@link Phase#DEREGISTERING}
 * @param draining time spent in {@link Phase#DRAINING}
 * @param stopping time spent stopping the server after the drain
 * @param requestsWhileDeregistering requests that started while deregistering (all served normally)
 * @param connectionCloseResponses responses that carried {@code Connection: close} (or streams after a GOAWAY)
 * @param idleConnectionsClosed idle keep-alive connections closed when draining began
 * @param requestsCompletedWhileDraining in-flight requests that finished during the drain
 * @param requestsAborted requests still in flight when the drain timed out, aborted with their connections
 * @param webSocketsClosed upgraded connections (WebSockets) told 1001 going away at DRAINING that closed before the timeout
 * @param webSocketsAborted upgraded connections still open when the drain timed out, aborted
 * @param drainTimedOut whether the drain ended at the drain timeout with requests or WebSockets still open
 * @param expedited whether a second signal (or {@link Ebb#expedite()}) cut the delay or the drain short
 * @param stopError why stopping the server failed, or {@code null}
 */
public record ShutdownReport(
        Duration deregistering,
        Duration draining,
        Duration stopping,
        long requestsWhileDeregistering,
        long connectionCloseResponses,
        long idleConnectionsClosed,
        long requestsCompletedWhileDraining,
        long requestsAborted,
        long webSocketsClosed,
        long webSocketsAborted,
        boolean drainTimedOut,
        boolean expedited,
        Throwable stopError) {

    /** Whether every request finished and the server stopped cleanly. */
    public boolean clean() {
        return requestsAborted == 0 && webSocketsAborted == 0 && !drainTimedOut && stopError == null;
    }

    /** Total time from the start of the shutdown to STOPPED. */
    public Duration total() {
        return deregistering.plus(draining).plus(stopping);
    }

    /** The report line Ebb logs. */
    @Override
    public String toString() {
        return "deregistering " + Durations.format(deregistering)
                + " (" + requestsWhileDeregistering + " requests served, " + connectionCloseResponses
                + " responses with Connection: close), draining " + Durations.format(draining)
                + " (" + idleConnectionsClosed + " idle connections closed, " + requestsCompletedWhileDraining
                + " requests completed, " + requestsAborted + " aborted"
                + (webSocketsClosed + webSocketsAborted > 0
                        ? "; " + webSocketsClosed + " WebSockets closed with 1001, " + webSocketsAborted + " aborted" : "")
                + (drainTimedOut ? ", drain timed out" : "")
                + (expedited ? ", cut short by a second signal" : "")
                + "), stopping " + Durations.format(stopping)
                + (stopError == null ? "" : " (failed: " + stopError + ")")
                + "; total " + Durations.format(total());
    }
}
