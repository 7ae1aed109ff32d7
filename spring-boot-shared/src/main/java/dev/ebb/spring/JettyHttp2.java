package dev.ebb.spring;

import java.util.List;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.http2.SessionContainer;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.server.AbstractHTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * What touches Jetty's HTTP/2 classes, loaded only when {@code jetty-http2-server} is on the class path
 * ({@link #present()}).
 */
final class JettyHttp2 {

    private JettyHttp2() {
    }

    static boolean present() {
        try {
            Class.forName("org.eclipse.jetty.http2.server.AbstractHTTP2ServerConnectionFactory", false,
                    Server.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * A graceful GOAWAY on every HTTP/2 session of {@code connector}: its streams complete, then Jetty sends
     * the final GOAWAY and closes it. Sessions opened later are served (not the container's own shutdown,
     * which would also refuse those): the sessions are copied before the first GOAWAY, because the container's
     * set is live, and a session a client opens on seeing its first GOAWAY could otherwise still be reached by
     * this loop and, having no stream yet, be closed at once (its first stream refused).
     */
    static void goAwayAll(Connector connector) {
        for (Object factory : connector.getConnectionFactories()) {
            if (factory instanceof AbstractHTTP2ServerConnectionFactory h2) {
                SessionContainer sessions = h2.getBean(SessionContainer.class);
                if (sessions != null) {
                    for (Session session : List.copyOf(sessions.getSessions())) {
                        // One without a stream yet may have been accepted after closing began: Jetty would
                        // close it at once and refuse its first stream. Idle, it is closed at DRAINING.
                        if (!(session instanceof HTTP2Session s && s.getStreamsOpened() == 0)) {
                            session.shutdown();
                        }
                    }
                }
            }
        }
    }

    static boolean isHttp2(Connection connection) {
        return connection instanceof HTTP2Connection;
    }

    /** Closes the session of {@code connection} when it has no stream open; whether it did. */
    static boolean closeIfIdle(Connection connection, EndPoint endPoint) {
        HTTP2Session session = ((HTTP2Connection) connection).getSession();
        if (!session.getStreams().isEmpty()) {
            return false;
        }
        session.close(ErrorCode.NO_ERROR.code, "draining", Callback.from(endPoint::close));
        return true;
    }
}
