package dev.ebb.spring;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.WebServer;

class JettyShutdownTests extends AbstractServerShutdownTests {

    @Override
    WebApplicationType type() {
        return WebApplicationType.SERVLET;
    }

    @Override
    List<String> otherServers() {
        return List.of("org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration");
    }

    @Override
    String keepAliveProperty() {
        return "server.jetty.connection-idle-timeout";
    }

    @Override
    Duration keepAliveOf(WebServer server) {
        return Duration.ofMillis(((JettyWebServer) server).getServer().getConnectors()[0].getIdleTimeout());
    }
}
