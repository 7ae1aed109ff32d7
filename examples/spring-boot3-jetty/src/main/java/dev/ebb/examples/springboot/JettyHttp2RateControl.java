package dev.ebb.examples.springboot;

import org.eclipse.jetty.http2.WindowRateControl;
import org.eclipse.jetty.http2.server.AbstractHTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Configuration;

/**
 * Raises Jetty's HTTP/2 rate control for a load balancer's multiplexed connections, as the {@code jetty}
 * example does: Jetty closes a connection that sends more than 128 control frames a second (a guard meant for
 * one client), failing every request on it, with or without Ebb, once all of a load balancer's traffic shares a
 * few HTTP/2 connections.
 */
@Configuration(proxyBeanMethods = false)
class JettyHttp2RateControl implements WebServerFactoryCustomizer<JettyServletWebServerFactory> {

    @Override
    public void customize(JettyServletWebServerFactory factory) {
        factory.addServerCustomizers(server -> {
            for (Connector connector : server.getConnectors()) {
                for (var connectionFactory : connector.getConnectionFactories()) {
                    if (connectionFactory instanceof AbstractHTTP2ServerConnectionFactory h2) {
                        h2.setRateControlFactory(new WindowRateControl.Factory(10_000));
                    }
                }
            }
        });
    }
}
