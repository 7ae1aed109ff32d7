package dev.ebb.spring;

import dev.ebb.EbbConfig;
import dev.ebb.spi.EbbCore;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.server.WebFilter;
import org.springframework.web.servlet.HandlerAdapter;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * The parts of {@code EbbAutoConfiguration} that are the same on every Spring Boot version the starters
 * support, imported by each starter's auto-configuration. Every bean backs off when the application
 * defines its own.
 */
final class EbbConfigurations {

    private EbbConfigurations() {
    }

    /** Ebb itself, its adapter and its place in the context's lifecycle. */
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(EbbProperties.class)
    static class Core {

        @Bean
        @ConditionalOnMissingBean
        EbbConfig ebbConfig(EbbProperties properties, Environment environment) {
            return properties.toConfig(UnknownEbbProperties.in(environment));
        }

        @Bean
        @ConditionalOnMissingBean
        BootServerAdapter ebbServerAdapter() {
            return new BootServerAdapter();
        }

        /** No inferred destroy method: {@code shutdown()} is Ebb's, run by the lifecycle, not at bean destruction. */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean
        EbbCore ebb(EbbConfig config, BootServerAdapter adapter) {
            // With ebb.handle-signals, Ebb takes SIGTERM, runs the sequence, then closes the context (EbbLifecycle)
            // before it exits; Boot's shutdown hook then finds the context closed.
            return EbbCore.create(config, adapter);
        }

        @Bean
        @ConditionalOnMissingBean
        EbbLifecycle ebbLifecycle(EbbCore ebb, BootServerAdapter adapter, ApplicationEventPublisher publisher,
                ObjectProvider<ShutdownPhaseTimeouts> timeouts) {
            return new EbbLifecycle(ebb, adapter, publisher, timeouts.getIfAvailable());
        }

        @Bean
        @ConditionalOnMissingBean
        static ShutdownPhaseTimeouts ebbShutdownPhaseTimeouts(ObjectProvider<EbbConfig> config) {
            return new ShutdownPhaseTimeouts(config);
        }
    }

    /** The application's Spring WebSocket sessions, told 1001 at DRAINING. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = Type.SERVLET)
    @ConditionalOnClass({ WebSocketHttpRequestHandler.class, HandlerAdapter.class })
    static class ServletWebSockets {

        @Bean
        @ConditionalOnMissingBean
        WebSocketSessions ebbWebSocketSessions(EbbCore ebb, BootServerAdapter adapter) {
            WebSocketSessions sessions = new WebSocketSessions(ebb);
            adapter.webSockets(sessions);
            return sessions;
        }
    }

    /** {@code Connection: close} and the in-flight count of a reactive application. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = Type.REACTIVE)
    @ConditionalOnClass(WebFilter.class)
    static class Reactive {

        @Bean
        @ConditionalOnMissingBean
        EbbWebFilter ebbWebFilter(EbbCore ebb, BootServerAdapter adapter, Environment environment) {
            return new EbbWebFilter(ebb, adapter, HealthChecks.of(ebb.config(), environment));
        }
    }

    /** Ebb's meters, where Micrometer is. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        EbbMetrics ebbMetrics(EbbCore ebb) {
            return new EbbMetrics(ebb);
        }
    }

    /** Tomcat's keep-alive, and Ebb's hands on the Tomcat Boot starts. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = { "org.apache.catalina.startup.Tomcat", BootWeb.TOMCAT_FACTORY })
    static class TomcatConfiguration {

        @Bean
        @ConditionalOnMissingBean
        TomcatKeepAlive ebbTomcatKeepAlive(EbbCore ebb, BootServerAdapter adapter, Environment environment) {
            return new TomcatKeepAlive(ebb, adapter, environment);
        }

        @Bean
        @ConditionalOnMissingBean
        TomcatUnderBoot ebbTomcat(EbbCore ebb, BootServerAdapter adapter) {
            return new TomcatUnderBoot(new TomcatDriver(ebb, adapter));
        }
    }

    /** Jetty's keep-alive, and Ebb's hands on the Jetty Boot starts. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = { "org.eclipse.jetty.server.Server", BootWeb.JETTY_FACTORY })
    static class JettyConfiguration {

        @Bean
        @ConditionalOnMissingBean
        JettyKeepAlive ebbJettyKeepAlive(EbbCore ebb, BootServerAdapter adapter, Environment environment) {
            return new JettyKeepAlive(ebb, adapter, environment);
        }

        @Bean
        @ConditionalOnMissingBean
        JettyUnderBoot ebbJetty(EbbCore ebb, BootServerAdapter adapter) {
            return new JettyUnderBoot(new JettyDriver(ebb, adapter));
        }
    }

    /** Reactor Netty's idle timeout, and Ebb's hands on the server Boot starts. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = { "reactor.netty.http.server.HttpServer", BootWeb.NETTY_FACTORY })
    static class NettyConfiguration {

        @Bean
        @ConditionalOnMissingBean
        NettyKeepAlive ebbNettyKeepAlive(EbbCore ebb, BootServerAdapter adapter, Environment environment) {
            return new NettyKeepAlive(ebb, adapter, environment);
        }

        @Bean
        @ConditionalOnMissingBean
        ReactorNettyConnections ebbReactorNettyConnections(EbbCore ebb, BootServerAdapter adapter) {
            return new ReactorNettyConnections(new ReactorNettyDriver(ebb, adapter));
        }
    }
}
