package dev.ebb.spi;

import java.time.Duration;

/**
 * What an adapter does to its server when {@link EbbCore} says so. Adapters translate; every decision
 * (when, how long, what to count) is core's. Core calls these methods from its own shutdown thread,
 * one at a time, never from a server thread; each must return promptly and must not throw for
 * ordinary conditions (a failure is logged and the shutdown goes on).
 */
public interface ServerAdapter {

    /** The server's name and version for log lines, e.g. {@code Jetty 12.1.14}. */
    String serverName();

    /** The keep-alive idle timeout the server would apply now. */
    KeepAlive keepAlive();

    /** Makes the server keep idle connections open for {@code timeout} between requests. */
    void setKeepAliveTimeout(Duration timeout);

    /**
     * DEREGISTERING has begun. HTTP/1 connections are told per response through
     * {@link EbbCore#closeConnection()}; here an adapter sends a graceful HTTP/2 GOAWAY on every
     * HTTP/2 connection, so that streams in flight still complete. Default: nothing.
     */
    default void startDeregistering() {
    }

    /**
     * Closes the listening sockets: the port is released and new connects are refused. Existing
     * connections must keep being served.
     */
    void closeListeners() throws Exception;

    /**
     * Closes every connection that has no request in progress (HTTP/2: finishes the GOAWAY).
     *
     * @return how many connections were closed
     */
    int closeIdleConnections();

    /**
     * Sends a WebSocket close frame with status 1001 (going away) on every upgraded connection, through
     * the server's own WebSocket implementation so that frames are not interleaved; the peer answers
     * with its close frame and the connection closes, which the adapter reports with
     * {@link EbbCore#upgradeClosed()}. Default: nothing (an adapter that tracks no upgrades).
     *
     * @return how many close frames were sent
     */
    default int closeUpgradedConnections() {
        return 0;
    }

    /**
     * Aborts every connection still open (upgraded ones included), cutting the requests in progress.
     *
     * @return how many connections were aborted
     */
    int abortConnections();

    /** Stops the server and releases its threads. Called last. */
    void stop() throws Exception;
}
