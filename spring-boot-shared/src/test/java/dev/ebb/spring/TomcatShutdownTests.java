package dev.ebb.spring;

import java.time.Duration;
import org.apache.coyote.AbstractProtocol;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.server.WebServer;

class TomcatShutdownTests extends AbstractServerShutdownTests {

    @Override
    WebApplicationType type() {
        return WebApplicationType.SERVLET;
    }

    @Override
    String server() {
        return TestServers.TOMCAT;
    }

    @Override
    String keepAliveProperty() {
        return "server.tomcat.keep-alive-timeout";
    }

    @Override
    Duration keepAliveOf(WebServer server) {
        AbstractProtocol<?> protocol = (AbstractProtocol<?>) TestServers.tomcat(server).getConnector().getProtocolHandler();
        return Duration.ofMillis(protocol.getKeepAliveTimeout());
    }
}
