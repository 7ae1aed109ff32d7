package dev.ebb;

/**
 * The phases of a shutdown, in the order they happen. A phase never goes back.
 *
 * <pre>
 * SERVING ──shutdown()──▶ DEREGISTERING ──delay over──▶ DRAINING ──in-flight = 0 or timeout──▶ STOPPED
 * </pre>
 */
public enum Phase {
    /** Ready: readiness answers 200, keep-alive is normal. */
    SERVING,
    /**
     * Readiness answers 503 while the server keeps accepting and serving every request; each response
     * asks the peer to close the connection ({@code Connection: close}, HTTP/2 GOAWAY).
     */
    DEREGISTERING,
    /** The listener is closed, idle connections are closed, in-flight requests finish or are aborted. */
    DRAINING,
    /** The server is stopped and the report is final. */
    STOPPED
}
