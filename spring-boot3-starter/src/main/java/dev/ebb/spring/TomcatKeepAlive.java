package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import org.apache.coyote.ProtocolHandler;
import org.springframework.boot.web.embedded.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.env.Environment;

/** Sets Tomcat's keep-alive timeout as {@link TomcatDriver#keepAlive(EbbCore, BootServerAdapter, Environment)} says. */
final class TomcatKeepAlive implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> {

    private final EbbCore core;
    private final BootServerAdapter adapter;
    private final Environment environment;

    TomcatKeepAlive(EbbCore core, BootServerAdapter adapter, Environment environment) {
        this.core = core;
        this.adapter = adapter;
        this.environment = environment;
    }

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        TomcatDriver.keepAlive(core, adapter, environment).ifPresent(timeout -> factory.addProtocolHandlerCustomizers(
                (TomcatProtocolHandlerCustomizer<ProtocolHandler>) handler -> TomcatDriver.keepAlive(handler, timeout)));
    }
}
