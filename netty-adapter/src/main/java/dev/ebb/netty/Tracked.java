package dev.ebb.netty;

/** Ebb's handler on a connection, as the adapter drives it; every method runs on the channel's event loop. */
interface Tracked {

    /** DEREGISTERING has begun (HTTP/2 sends its first GOAWAY; HTTP/1 waits for the next response). */
    void startDeregistering();

    /** DRAINING has begun: close now if nothing is in progress ({@code true}), else once it is. */
    boolean closeIfIdle();

    /**
     * DRAINING has begun: an upgraded WebSocket connection is sent a close frame 1001 (going away) and
     * returns {@code true}; anything else returns {@code false}.
     */
    boolean goAway();
}
