package dev.ebb.spring;

import java.time.Duration;
import java.util.List;
import org.apache.coyote.AbstractProtocol;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;

class TomcatShutdownTests extends AbstractServerShutdownTests {

    @Override
    WebApplicationType type() {
        return WebApplicationType.SERVLET;
    }

    @Override
    List<String> otherServers() {
        return List.of("org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration");
    }

    @Override
    String keepAliveProperty() {
        return "server.tomcat.keep-alive-timeout";
    }

    @Override
    Duration keepAliveOf(WebServer server) {
        AbstractProtocol<?> protocol = (AbstractProtocol<?>) ((TomcatWebServer) server).getTomcat().getConnector()
                .getProtocolHandler();
        return Duration.ofMillis(protocol.getKeepAliveTimeout());
    }

    @Override
    List<String> otherManagementServers() {
        return List.of("org.springframework.boot.jetty.autoconfigure.actuate.web.server.JettyServletManagementContextAutoConfiguration");
    }
}
