package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.eclipse.jetty.server.Connector;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.ConfigurableApplicationContext;

class JettyShutdownTests extends AbstractServerShutdownTests {

    @Override
    WebApplicationType type() {
        return WebApplicationType.SERVLET;
    }

    @Override
    String server() {
        return TestServers.JETTY;
    }

    @Override
    String keepAliveProperty() {
        return "server.jetty.connection-idle-timeout";
    }

    /** The keep-alive between requests: Ebb's connection factory's, else the connector's idle timeout. */
    @Override
    Duration keepAliveOf(WebServer server) {
        Connector connector = TestServers.jetty(server).getConnectors()[0];
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
            WebServer server = BootWeb.webServer(context);
            assertThat(keepAliveOf(server)).isEqualTo(Duration.ofSeconds(66));
            assertThat(TestServers.jetty(server).getConnectors()[0].getIdleTimeout()).isEqualTo(10_000);
        }
    }
}
