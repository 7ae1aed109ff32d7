package dev.ebb.spring;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Jetty's HTTP/1.1 connection factory whose connections stay open between requests for Ebb's keep-alive
 * while the connector's idle timeout still bounds every request's I/O (a stalled body times out as on the
 * bare server). Jetty has one idle timeout for both; an idle expiry between requests is let pass until the
 * keep-alive is reached, counted in whole idle timeouts (the connection closes at the first expiry at or
 * after the keep-alive). Per connection: one counter, reset when bytes arrive.
 */
final class JettyKeepAliveConnections extends HttpConnectionFactory {

    private final Duration keepAlive;

    JettyKeepAliveConnections(HttpConnectionFactory replaced, Duration keepAlive) {
        super(replaced.getHttpConfiguration());
        JettySettings.copy(replaced, this);
        this.keepAlive = keepAlive;
    }

    /** The keep-alive between requests. */
    Duration keepAlive() {
        return keepAlive;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        KeepAliveConnection connection = new KeepAliveConnection(getHttpConfiguration(), connector, endPoint,
                keepAlive.toMillis());
        JettySettings.configure(this, connection);
        return configure(connection, connector, endPoint);
    }

    /** An HTTP/1.1 connection that outlives idle expiries between requests until the keep-alive. */
    private static final class KeepAliveConnection extends HttpConnection {

        private final long keepAliveMs;
        private volatile int idleExpiries;

        KeepAliveConnection(HttpConfiguration configuration, Connector connector, EndPoint endPoint, long keepAliveMs) {
            super(configuration, connector, endPoint);
            this.keepAliveMs = keepAliveMs;
        }

        @Override
        public void onFillable() {
            idleExpiries = 0;
            super.onFillable();
        }

        @Override
        public boolean onIdleExpired(TimeoutException timeout) {
            long idleTimeout = getEndPoint().getIdleTimeout();
            if (getHttpChannel().getRequest() == null && idleTimeout > 0
                    && (long) ++idleExpiries * idleTimeout < keepAliveMs) {
                return false;
            }
            return super.onIdleExpired(timeout);
        }
    }
}
