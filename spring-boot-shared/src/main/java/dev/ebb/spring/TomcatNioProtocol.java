package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.coyote.Processor;
import org.apache.coyote.UpgradeToken;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's NIO HTTP/1.1 protocol, unchanged, with its connections visible to Ebb: the open ones, and the
 * upgraded ones (a servlet upgrade such as a WebSocket; not HTTP/2), reported to Ebb when the upgrade
 * completes and when the connection closes. Spring Boot's Tomcat runs it in place of
 * {@link Http11NioProtocol} unless the application chose another protocol.
 */
public class TomcatNioProtocol extends Http11NioProtocol {

    private static final String HTTP2_PACKAGE = "org.apache.coyote.http2.";

    private final Set<SocketWrapperBase<NioChannel>> upgraded = ConcurrentHashMap.newKeySet();
    private volatile EbbCore core;

    /** Created by Tomcat from the class name. */
    public TomcatNioProtocol() {
        super();
        getEndpoint().setHandler(new Tracking(getHandler()));
    }

    /** Reports upgraded connections to {@code ebb} from now on. */
    void track(EbbCore ebb) {
        this.core = ebb;
    }

    /** The connections open now. */
    Set<SocketWrapperBase<NioChannel>> connections() {
        return getEndpoint().getConnections();
    }

    /**
     * Tells every upgraded connection that the server stops: Tomcat's WebSocket sends its close frame with
     * 1001 (going away) and closes the connection when the peer answers. How many were told.
     */
    int goingAway() {
        int told = 0;
        for (SocketWrapperBase<NioChannel> connection : upgraded) {
            if (!connection.isClosed()) {
                connection.processSocket(SocketEvent.STOP, true);
                told++;
            }
        }
        return told;
    }

    private void upgradeClosed(SocketWrapperBase<NioChannel> connection) {
        EbbCore ebb = core;
        if (upgraded.remove(connection) && ebb != null) {
            ebb.upgradeClosed();
        }
    }

    /** Tomcat's connection handler, watching for upgrades and closes. */
    private final class Tracking implements Handler<NioChannel> {

        private final Handler<NioChannel> delegate;

        Tracking(Handler<NioChannel> delegate) {
            this.delegate = delegate;
        }

        @Override
        public SocketState process(SocketWrapperBase<NioChannel> connection, SocketEvent status) {
            SocketState state = delegate.process(connection, status);
            EbbCore ebb = core;
            if (state == SocketState.UPGRADED && ebb != null && !upgraded.contains(connection) && servletUpgrade(connection)
                    && upgraded.add(connection)) {
                ebb.upgradeOpened();
                if (connection.isClosed()) {
                    upgradeClosed(connection);
                }
            }
            return state;
        }

        private boolean servletUpgrade(SocketWrapperBase<NioChannel> connection) {
            if (!(connection.getCurrentProcessor() instanceof Processor processor) || !processor.isUpgrade()) {
                return false;
            }
            UpgradeToken token = processor.getUpgradeToken();
            // HTTP/2 runs as an internal upgrade too; its streams are counted as requests.
            return token != null && !token.getHttpUpgradeHandler().getClass().getName().startsWith(HTTP2_PACKAGE);
        }

        @Override
        public Object getGlobal() {
            return delegate.getGlobal();
        }

        @Override
        public void release(SocketWrapperBase<NioChannel> connection) {
            try {
                delegate.release(connection);
            } finally {
                upgradeClosed(connection);
            }
        }

        @Override
        public void pause() {
            delegate.pause();
        }

        @Override
        public void recycle() {
            delegate.recycle();
        }
    }
}
