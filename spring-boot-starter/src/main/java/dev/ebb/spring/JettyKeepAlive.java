package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.Jetty;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.env.Environment;

/**
 * Sets the idle timeout of Jetty's connectors above the load balancer's idle timeout, unless the
 * application set {@code server.jetty.connection-idle-timeout} itself (then Ebb's idle-timeout policy
 * checks it).
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
        Optional<Duration> explicit = BootServerAdapter.property(environment, "server.jetty.connection-idle-timeout");
        adapter.use("Jetty " + Jetty.VERSION,
                explicit.map(KeepAlive::explicit).orElseGet(() -> KeepAlive.serverDefault(JETTY_DEFAULT)));
        core.applyKeepAlive().ifPresent(timeout -> factory.addServerCustomizers(server -> {
            for (Connector connector : server.getConnectors()) {
                if (connector instanceof AbstractConnector abstractConnector) {
                    abstractConnector.setIdleTimeout(timeout.toMillis());
                }
            }
        }));
    }
}
