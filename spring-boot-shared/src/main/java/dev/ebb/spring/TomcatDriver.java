package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.catalina.util.ServerInfo;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.springframework.core.env.Environment;
import org.apache.catalina.startup.Tomcat;

/**
 * Ebb's operations on the Tomcat that Spring Boot started. At DEREGISTERING every HTTP/2 connection gets
 * Tomcat's own graceful GOAWAY (its protocol handler's pause, which leaves the listener accepting) and
 * closes a second after its last stream has ended; at
 * DRAINING the listener closes ({@code closeServerSocketGraceful}, as Boot's graceful shutdown does) and
 * connections waiting for their next request close. Connections are visible through
 * {@link TomcatNioProtocol}, which {@link TomcatUnderBoot} installs when the application kept Tomcat's
 * default protocol and which also reports upgraded connections (WebSockets) and tells them 1001 through Tomcat's
 * own WebSocket implementation; with another protocol, idle connections and WebSockets close when Boot
 * stops Tomcat.
 */
final class TomcatDriver implements BootServer {

    /** How long an HTTP/2 connection with no stream stays open once DEREGISTERING has begun. */
    static final Duration HTTP2_KEEP_ALIVE_WHILE_DEREGISTERING = Duration.ofSeconds(1);

    /** Tomcat's keep-alive timeout when neither it nor the connection timeout is set. */
    private static final Duration TOMCAT_DEFAULT = Duration.ofSeconds(60);

    private final EbbCore core;
    private final BootServerAdapter adapter;
    private volatile List<Connector> connectors = List.of();

    TomcatDriver(EbbCore core, BootServerAdapter adapter) {
        this.core = core;
        this.adapter = adapter;
    }

    /**
     * Ebb's keep-alive timeout for Tomcat, above the load balancer's idle timeout, unless the application set
     * {@code server.tomcat.keep-alive-timeout} itself (then Ebb's idle-timeout policy checks it); empty to
     * leave Tomcat's as it is. Tells the adapter which server it is.
     */
    static Optional<Duration> keepAlive(EbbCore core, BootServerAdapter adapter, Environment environment) {
        Optional<Duration> explicit = BootServerAdapter.property(environment, "server.tomcat.keep-alive-timeout");
        KeepAlive current = explicit.map(KeepAlive::explicit).orElseGet(() -> KeepAlive.serverDefault(
                BootServerAdapter.property(environment, "server.tomcat.connection-timeout").orElse(TOMCAT_DEFAULT)));
        String info = ServerInfo.getServerInfo(); // e.g. Apache Tomcat/11.0.24
        adapter.use("Tomcat " + info.substring(info.indexOf('/') + 1), current);
        return core.applyKeepAlive();
    }

    /** Sets {@code timeout} as the keep-alive timeout of Tomcat's protocol {@code handler}. */
    static void keepAlive(ProtocolHandler handler, Duration timeout) {
        if (handler instanceof AbstractProtocol<?> protocol) {
            protocol.setKeepAliveTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        }
    }

    /** The protocol class to use instead of Tomcat's default one, so that connections are visible. */
    static String protocol(String configured, String tomcatDefault) {
        return tomcatDefault.equals(configured) ? TomcatNioProtocol.class.getName() : configured;
    }

    /** The application's Tomcat has started: Ebb drives it from now on. */
    void started(Tomcat tomcat) {
        connectors = List.of(tomcat.getService().findConnectors());
        for (Connector connector : connectors) {
            if (connector.getProtocolHandler() instanceof TomcatNioProtocol protocol) {
                protocol.track(core);
            }
        }
        adapter.drive(this);
    }

    @Override
    public void startDeregistering() {
        for (Connector connector : connectors) {
            for (UpgradeProtocol upgrade : connector.findUpgradeProtocols()) {
                if (upgrade instanceof Http2Protocol h2) {
                    // Tomcat sends its final GOAWAY only when a new stream arrives: an HTTP/2 connection whose
                    // last stream has ended closes after this short keep-alive instead.
                    h2.setKeepAliveTimeout(HTTP2_KEEP_ALIVE_WHILE_DEREGISTERING.toMillis());
                }
            }
            if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
                // Tells each connection's processor; HTTP/2 sends a graceful GOAWAY. The endpoint goes on accepting.
                protocol.getHandler().pause();
            }
        }
    }

    @Override
    public void closeListeners() {
        for (Connector connector : connectors) {
            connector.getProtocolHandler().closeServerSocketGraceful();
        }
    }

    @Override
    public int closeIdleConnections() {
        int closed = 0;
        for (SocketWrapperBase<NioChannel> connection : connections()) {
            // Between requests: no processor, waiting to read. A request being read or served has a processor
            // or no read interest; an upgraded connection (HTTP/2, WebSocket) keeps its processor.
            if (connection.getCurrentProcessor() == null && connection instanceof NioEndpoint.NioSocketWrapper nio
                    && nio.interestOpsHas(SelectionKey.OP_READ) && !connection.isClosed()) {
                connection.close();
                closed++;
            }
        }
        return closed;
    }

    @Override
    public int closeUpgradedConnections() {
        int told = 0;
        for (Connector connector : connectors) {
            if (connector.getProtocolHandler() instanceof TomcatNioProtocol protocol) {
                told += protocol.goingAway();
            }
        }
        return told;
    }

    @Override
    public int abortConnections() {
        int aborted = 0;
        for (SocketWrapperBase<NioChannel> connection : connections()) {
            if (!connection.isClosed()) {
                connection.close();
                aborted++;
            }
        }
        return aborted;
    }

    private List<SocketWrapperBase<NioChannel>> connections() {
        List<SocketWrapperBase<NioChannel>> all = new ArrayList<>();
        for (Connector connector : connectors) {
            ProtocolHandler handler = connector.getProtocolHandler();
            if (handler instanceof TomcatNioProtocol protocol) {
                all.addAll(protocol.connections());
            }
        }
        return all;
    }
}
