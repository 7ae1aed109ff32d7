package dev.ebb.jetty;

import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.http2.SessionContainer;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.server.AbstractHTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.Callback;

/**
 * Everything that touches Jetty's HTTP/2 classes, kept apart so that servers without
 * {@code jetty-http2-server} on the class path never load it ({@code JettyServerAdapter} checks first).
 */
final class Http2 {

    private Http2() {
    }

    /**
     * Sends a graceful GOAWAY on every HTTP/2 session of {@code connector}: streams in flight complete,
     * then Jetty closes the session. Not {@code SessionContainer.shutdown()}: that would also GOAWAY every
     * session opened later at once, before its first stream, and new connections must still be served.
     */
    static int goAwayAll(Connector connector) {
        int sessions = 0;
        for (Object factory : connector.getConnectionFactories()) {
            if (factory instanceof AbstractHTTP2ServerConnectionFactory h2) {
                SessionContainer container = h2.getBean(SessionContainer.class);
                if (container != null) {
                    for (Session session : container.getSessions()) {
                        session.shutdown();
                        sessions++;
                    }
                }
            }
        }
        return sessions;
    }

    /** Sends a graceful GOAWAY on {@code connection}, an HTTP/2 connection. */
    static void goAway(Connection connection) {
        if (connection instanceof HTTP2Connection h2) {
            h2.getSession().shutdown();
        }
    }

    static boolean isHttp2(Connection connection) {
        return connection instanceof HTTP2Connection;
    }

    /** Closes the HTTP/2 session of {@code connection} if it has no open stream; whether it did. */
    static boolean closeIfIdle(Connection connection, EndPoint endPoint) {
        HTTP2Session session = ((HTTP2Connection) connection).getSession();
        if (!session.getStreams().isEmpty()) {
            return false;
        }
        // A session already past its graceful GOAWAY ignores another one and waits for the peer: close after it.
        session.close(ErrorCode.NO_ERROR.code, "ebb draining", Callback.from(endPoint::close));
        return true;
    }
}
