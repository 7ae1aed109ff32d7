package dev.ebb.spring;

import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/** Hands the Tomcat that Spring Boot starts to {@link TomcatDriver}, with Ebb's protocol installed. */
final class TomcatUnderBoot implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>,
        ApplicationListener<WebServerInitializedEvent> {

    private final TomcatDriver driver;

    TomcatUnderBoot(TomcatDriver driver) {
        this.driver = driver;
    }

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        if (factory instanceof TomcatWebServerFactory tomcat) {
            tomcat.setProtocol(TomcatDriver.protocol(tomcat.getProtocol(), TomcatWebServerFactory.DEFAULT_PROTOCOL));
        }
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getWebServer() instanceof TomcatWebServer server
                && event.getApplicationContext().getServerNamespace() == null) {
            driver.started(server.getTomcat());
        }
    }
}
