package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.env.Environment;

/** Keeps Jetty's connections open between requests as {@link JettyDriver#keepAlive} says. */
final class JettyKeepAlive implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> {

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
        JettyDriver.keepAlive(core, adapter, environment).ifPresent(step -> factory.addServerCustomizers(step::accept));
    }
}
