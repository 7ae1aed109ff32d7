package dev.ebb;

import dev.ebb.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one shutdown did: time in each phase, what happened to requests and connections, and when the load
 * balancer let go. Logged as one line when the server has stopped. Immutable.
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
 * @param lastConnection time from the start of the shutdown to the newest connection accepted while
 *        deregistering that preceded a request (probe connections that carry no request are not counted);
 *        empty when none
 * @param lastRequest time from the start of the shutdown to the last request (probes excepted) that started
 *        while deregistering; empty when none
 * @param quietWindow the silence that was to end the delay early, when the traffic before the shutdown made one
 *        conclusive and {@code ebb.adaptive-deregistration} is on; empty when the full delay applied
 * @param endedWhenQuiet whether DEREGISTERING ended before the delay because no request arrived for the quiet window
 * @param loadBalancerStillSending whether requests still arrived in the last second of the delay: the load
 *        balancer had not let go, and the delay is too short
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
        Throwable stopError,
        Optional<Duration> lastConnection,
        Optional<Duration> lastRequest,
        Optional<Duration> quietWindow,
        boolean endedWhenQuiet,
        boolean loadBalancerStillSending) {

    /** Checks the arguments. */
    public ShutdownReport {
        Objects.requireNonNull(lastConnection, "lastConnection");
        Objects.requireNonNull(lastRequest, "lastRequest");
        Objects.requireNonNull(quietWindow, "quietWindow");
    }

    /** Whether every request finished and the server stopped cleanly. */
    public boolean clean() {
        return requestsAborted == 0 && webSocketsAborted == 0 && !drainTimedOut && stopError == null;
    }

    /** Total time from the start of the shutdown to STOPPED. */
    public Duration total() {
        return deregistering.plus(draining).plus(stopping);
    }

    /**
     * When the load balancer let go, from the start of the shutdown: the last request that arrived while
     * deregistering; {@link Duration#ZERO} when none did.
     */
    public Duration loadBalancerLetGo() {
        return lastRequest.orElse(Duration.ZERO);
    }

    /** The report line Ebb logs. */
    @Override
    public String toString() {
        return "deregistering " + Durations.format(deregistering)
                + (endedWhenQuiet ? " (ended early: no request for " + quietWindow.map(Durations::format).orElse("?")
                        + "; " : " (")
                + requestsWhileDeregistering + " requests served, " + connectionCloseResponses
                + " responses with Connection: close), draining " + Durations.format(draining)
                + " (" + idleConnectionsClosed + " idle connections closed, " + requestsCompletedWhileDraining
                + " requests completed, " + requestsAborted + " aborted"
                + (webSocketsClosed + webSocketsAborted > 0
                        ? "; " + webSocketsClosed + " WebSockets closed with 1001, " + webSocketsAborted + " aborted" : "")
                + (drainTimedOut ? ", drain timed out" : "")
                + (expedited ? ", cut short by a second signal" : "")
                + "), stopping " + Durations.format(stopping)
                + (stopError == null ? "" : " (failed: " + stopError + ")")
                + "; total " + Durations.format(total())
                + "; " + letGo();
    }

    private String letGo() {
        if (lastRequest.isEmpty()) {
            return "load balancer let go at SIGTERM (no request after it"
                    + lastConnection.map(c -> ", last connection " + Durations.seconds(c)).orElse("") + ")";
        }
        String line = "load balancer let go " + Durations.seconds(lastRequest.get()) + " after SIGTERM (last connection "
                + lastConnection.map(Durations::seconds).orElse("none") + ", last request "
                + Durations.seconds(lastRequest.get()) + ")";
        return loadBalancerStillSending
                ? line + "; it was still sending at the end of the delay: raise ebb.deregistration-delay" : line;
    }
}
