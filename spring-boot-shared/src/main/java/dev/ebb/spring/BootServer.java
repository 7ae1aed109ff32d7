package dev.ebb.spring;

/**
 * Ebb's operations on the web server Spring Boot started, for a server the starter drives itself
 * (Tomcat, Jetty). Called by {@link BootServerAdapter} from core's shutdown thread; decides nothing.
 */
interface BootServer {

    /** DEREGISTERING has begun: a graceful GOAWAY on every HTTP/2 connection. */
    void startDeregistering();

    /** Closes the listening sockets; existing connections go on being served. */
    void closeListeners();

    /** Closes every connection with no request in progress; how many. */
    int closeIdleConnections();

    /**
     * Sends a WebSocket close frame with 1001 on every upgraded connection the server itself can reach; how many.
     * The application's Spring WebSockets that the starter tracks are told by {@link BootServerAdapter}.
     */
    default int closeUpgradedConnections() {
        return 0;
    }

    /** Closes every connection still open; how many. */
    int abortConnections();
}
