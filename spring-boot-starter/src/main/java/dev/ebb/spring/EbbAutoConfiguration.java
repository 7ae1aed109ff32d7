package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import jakarta.servlet.Filter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of Ebb for a Spring Boot web application on Tomcat, Jetty or Reactor Netty: a
 * deregistration delay before Boot's graceful shutdown, with readiness down and {@code Connection: close}
 * on every response, and a keep-alive idle timeout above the load balancer's. Every bean backs off when
 * the application defines its own; {@code ebb.enabled=false} turns all of it off.
 */
@AutoConfiguration
@ConditionalOnWebApplication
@ConditionalOnClass(WebServerApplicationContext.class)
@ConditionalOnBooleanProperty(name = "ebb.enabled", matchIfMissing = true)
@Import({ EbbConfigurations.Core.class, EbbConfigurations.ServletWebSockets.class, EbbConfigurations.Reactive.class,
        EbbConfigurations.Metrics.class, EbbConfigurations.TomcatConfiguration.class,
        EbbConfigurations.JettyConfiguration.class, EbbConfigurations.NettyConfiguration.class })
public final class EbbAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = Type.SERVLET)
    @ConditionalOnClass({ Filter.class, FilterRegistrationBean.class })
    static class ServletConfiguration {

        @Bean
        @ConditionalOnMissingFilterBean(EbbServletFilter.class)
        FilterRegistrationBean<EbbServletFilter> ebbFilter(EbbCore ebb, Environment environment) {
            return EbbServletFilter.registration(ebb, environment);
        }
    }

}
