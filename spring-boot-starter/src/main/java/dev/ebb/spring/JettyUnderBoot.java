package dev.ebb.spring;

import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/** Hands the Jetty that Spring Boot started to {@link JettyDriver}. */
final class JettyUnderBoot implements ApplicationListener<WebServerInitializedEvent> {

    private final JettyDriver driver;

    JettyUnderBoot(JettyDriver driver) {
        this.driver = driver;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getWebServer() instanceof JettyWebServer jetty
                && event.getApplicationContext().getServerNamespace() == null) {
            driver.started(jetty.getServer());
        }
    }
}
