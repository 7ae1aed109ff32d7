package dev.ebb.spring;

import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.boot.web.embedded.tomcat.TomcatReactiveWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;

/**
 * Hands the Tomcat that Spring Boot starts to {@link TomcatDriver}, with Ebb's protocol installed. Spring
 * Boot 3's factories do not tell the protocol set: Ebb's is set first, so that an application's own
 * customizer replaces it.
 */
final class TomcatUnderBoot implements WebServerFactoryCustomizer<ConfigurableWebServerFactory>,
        ApplicationListener<WebServerInitializedEvent>, Ordered {

    private final TomcatDriver driver;

    TomcatUnderBoot(TomcatDriver driver) {
        this.driver = driver;
    }

    @Override
    public void customize(ConfigurableWebServerFactory factory) {
        if (factory instanceof TomcatServletWebServerFactory servlet) {
            servlet.setProtocol(TomcatDriver.protocol(TomcatServletWebServerFactory.DEFAULT_PROTOCOL,
                    TomcatServletWebServerFactory.DEFAULT_PROTOCOL));
        } else if (factory instanceof TomcatReactiveWebServerFactory reactive) {
            reactive.setProtocol(TomcatDriver.protocol(TomcatReactiveWebServerFactory.DEFAULT_PROTOCOL,
                    TomcatReactiveWebServerFactory.DEFAULT_PROTOCOL));
        }
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getWebServer() instanceof TomcatWebServer server
                && event.getApplicationContext().getServerNamespace() == null) {
            driver.started(server.getTomcat());
        }
    }
}
