package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import java.time.Duration;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.util.Jetty;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.env.Environment;

/**
 * Keeps Jetty's HTTP/1.1 connections open between requests for longer than the load balancer's idle
 * timeout, without stretching the connector's idle timeout ({@code server.jetty.connection-idle-timeout}),
 * which goes on bounding every request's I/O as on the bare server: the connector's HTTP/1.1 connection
 * factory is replaced by {@link JettyKeepAliveConnections}. Jetty has no keep-alive setting of its own, so
 * its idle timeout is the keep-alive Ebb starts from, never lowered.
 */
final class JettyKeepAlive implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> {

    /** A Jetty connector's idle timeout by default. */
    private static final Duration JETTY_DEFAULT = Duration.ofSeconds(30);

    private final EbbCore core;
    private final BootServerAdapter adapter;
    private final Environment environment;

    JettyKeepAlive(EbbCore core, BootServerAdapter adapter, Environment environment) {
        this.core = core;
        this.adapter = adapter;
        this.environment = environment;
    }

    @Override
    public void customize(ConfigurableJettyWebServerFactory factory) {
        Duration idleTimeout = BootServerAdapter.property(environment, "server.jetty.connection-idle-timeout")
                .orElse(JETTY_DEFAULT);
        adapter.use("Jetty " + Jetty.VERSION, KeepAlive.serverDefault(idleTimeout));
        core.applyKeepAlive().ifPresent(timeout -> factory.addServerCustomizers(server -> {
            Duration keepAlive = timeout.compareTo(idleTimeout) > 0 ? timeout : idleTimeout;
            for (Connector connector : server.getConnectors()) {
                HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
                if (connector instanceof AbstractConnector abstractConnector && http != null) {
                    abstractConnector.addConnectionFactory(new JettyKeepAliveConnections(http, keepAlive));
                }
            }
        }));
    }
}
