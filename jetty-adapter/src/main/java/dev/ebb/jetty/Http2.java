package dev.ebb.jetty;

import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Everything that touches Jetty's HTTP/2 classes, kept apart so that servers without
 * {@code jetty-http2-server} on the class path never load it ({@code JettyServerAdapter} checks first).
 */
final class Http2 {

    /**
     * The wait between the graceful GOAWAY and the final one: the client has the graceful one after half a
     * round trip and stops opening streams; streams it opened before are still coming in. One second is well
     * above a round trip within a data centre and well below a deregistration delay.
     */
    static final long FINAL_GOAWAY_DELAY_MS = 1_000;

    private Http2() {
    }

    /**
     * Sends a graceful GOAWAY on every HTTP/2 session of {@code connector}: streams in flight complete,
     * then Jetty closes the session. Not {@code SessionContainer.shutdown()}: that would also GOAWAY every
     * session opened later at once, before its first stream, and new connections must still be served.
     * The sessions are copied first (the container's set is live), and a session without a stream yet (one a
     * client opened after closing began, maybe on seeing the first GOAWAY) is left to {@link EbbHandler}, which
     * tells it at its first stream: Jetty would otherwise close it at once and refuse that stream.
     */
    static int goAwayAll(Connector connector) {
        int sessions = 0;
        for (Object factory : connector.getConnectionFactories()) {
            if (factory instanceof AbstractHTTP2ServerConnectionFactory h2) {
                SessionContainer container = h2.getBean(SessionContainer.class);
                if (container != null) {
                    for (Session session : List.copyOf(container.getSessions())) {
                        if (session instanceof HTTP2Session s && s.getStreamsOpened() == 0) {
                            continue;
                        }
                        goAway(session, connector.getScheduler());
                        sessions++;
                    }
                }
            }
        }
        return sessions;
    }

    /** Sends a graceful GOAWAY on {@code connection}, an HTTP/2 connection, then the final one. */
    static void goAway(Connection connection, Scheduler scheduler) {
        if (connection instanceof HTTP2Connection h2) {
            goAway(h2.getSession(), scheduler);
        }
    }

    /**
     * A graceful GOAWAY (last stream id 2^31-1) now, and the final one {@link #FINAL_GOAWAY_DELAY_MS} later,
     * with the last stream Jetty accepted, so that the client knows which of its streams will be served
     * without waiting for them to end: {@code close(NO_ERROR)} sends it and lets the streams it covers
     * complete, then closes the connection. Without the second step Jetty sends the final GOAWAY only when
     * the session's last stream ends.
     */
    private static void goAway(Session session, Scheduler scheduler) {
        session.shutdown();
        scheduler.schedule(() -> session.close(ErrorCode.NO_ERROR.code, "going away", Callback.NOOP),
                FINAL_GOAWAY_DELAY_MS, TimeUnit.MILLISECONDS);
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
