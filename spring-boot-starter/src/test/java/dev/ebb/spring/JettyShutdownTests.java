package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.Connector;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

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

    /** The keep-alive between requests: Ebb's connection factory's, else the connector's idle timeout. */
    @Override
    List<String> otherManagementServers() {
        return List.of("org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatServletManagementContextAutoConfiguration");
    }

    @Override
    Duration keepAliveOf(WebServer server) {
        Connector connector = ((JettyWebServer) server).getServer().getConnectors()[0];
        JettyKeepAliveConnections ebb = connector.getConnectionFactory(JettyKeepAliveConnections.class);
        return ebb != null ? ebb.keepAlive() : Duration.ofMillis(connector.getIdleTimeout());
    }

    /**
     * Jetty has no keep-alive setting: its connection idle timeout bounds each request's I/O and stays as
     * the application set it, and Ebb keeps connections open between requests above the load balancer's.
     */
    @Override
    @Test
    void keepAliveIdleTimeoutTheApplicationSetBelowTheLoadBalancersFailsStartup() {
        try (ConfigurableApplicationContext context = start("0s", "--" + keepAliveProperty() + "=10s")) {
            WebServer server = ((WebServerApplicationContext) context).getWebServer();
            assertThat(keepAliveOf(server)).isEqualTo(Duration.ofSeconds(66));
            assertThat(((JettyWebServer) server).getServer().getConnectors()[0].getIdleTimeout()).isEqualTo(10_000);
        }
    }
}
