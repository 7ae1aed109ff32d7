package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Ebb's operations on the Tomcat that Spring Boot started. At DEREGISTERING every HTTP/2 connection gets
 * Tomcat's own graceful GOAWAY (its protocol handler's pause, which leaves the listener accepting) and
 * closes a second after its last stream has ended; at
 * DRAINING the listener closes ({@code closeServerSocketGraceful}, as Boot's graceful shutdown does) and
 * connections waiting for their next request close. Connections are visible through
 * {@link TomcatNioProtocol}, which this customizer installs when the application kept Tomcat's default
 * protocol and which also reports upgraded connections (WebSockets) and tells them 1001 through Tomcat's
 * own WebSocket implementation; with another protocol, idle connections and WebSockets close when Boot
 * stops Tomcat.
 */
final class TomcatUnderBoot implements BootServer, WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>,
        ApplicationListener<WebServerInitializedEvent> {

    /** How long an HTTP/2 connection with no stream stays open once DEREGISTERING has begun. */
    static final Duration HTTP2_KEEP_ALIVE_WHILE_DEREGISTERING = Duration.ofSeconds(1);

    private final EbbCore core;
    private final BootServerAdapter adapter;
    private volatile List<Connector> connectors = List.of();

    TomcatUnderBoot(EbbCore core, BootServerAdapter adapter) {
        this.core = core;
        this.adapter = adapter;
    }

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        if (factory instanceof TomcatWebServerFactory tomcat
                && TomcatWebServerFactory.DEFAULT_PROTOCOL.equals(tomcat.getProtocol())) {
            tomcat.setProtocol(TomcatNioProtocol.class.getName());
        }
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getWebServer() instanceof TomcatWebServer server
                && event.getApplicationContext().getServerNamespace() == null) {
            connectors = List.of(server.getTomcat().getService().findConnectors());
            for (Connector connector : connectors) {
                if (connector.getProtocolHandler() instanceof TomcatNioProtocol protocol) {
                    protocol.track(core);
                }
            }
            adapter.drive(this);
        }
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
