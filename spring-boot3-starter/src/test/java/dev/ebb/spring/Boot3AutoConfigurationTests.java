package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ebb.EbbConfig;
import dev.ebb.spi.EbbCore;
import io.undertow.Undertow;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

/** The Boot 3 starter's auto-configuration in context runners: which beans, on which servers. */
class Boot3AutoConfigurationTests {

    private final WebApplicationContextRunner servlet = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EbbAutoConfiguration.class));

    @Test
    void servletApplicationGetsEbbTheFilterAndTheCustomizersOfEveryServerOnTheClassPath() {
        servlet.run(context -> assertThat(context).hasSingleBean(EbbCore.class).hasSingleBean(EbbLifecycle.class)
                .hasSingleBean(FilterRegistrationBean.class).hasSingleBean(ShutdownPhaseTimeouts.class)
                .hasSingleBean(TomcatKeepAlive.class).hasSingleBean(TomcatUnderBoot.class)
                .hasSingleBean(JettyKeepAlive.class).hasSingleBean(JettyUnderBoot.class)
                .hasSingleBean(UndertowKeepAlive.class).hasSingleBean(NettyKeepAlive.class)
                .hasSingleBean(EbbMetrics.class).hasSingleBean(WebSocketSessions.class));
    }

    @Test
    void withoutUndertowOnTheClassPathThereIsNoUndertowCustomizer() {
        servlet.withClassLoader(new FilteredClassLoader(Undertow.class))
                .run(context -> assertThat(context).doesNotHaveBean(UndertowKeepAlive.class)
                        .hasSingleBean(TomcatKeepAlive.class));
    }

    @Test
    void reactiveApplicationGetsTheWebFilterAndNoServletFilter() {
        new ReactiveWebApplicationContextRunner().withConfiguration(AutoConfigurations.of(EbbAutoConfiguration.class))
                .run(context -> assertThat(context).hasSingleBean(EbbWebFilter.class)
                        .doesNotHaveBean(FilterRegistrationBean.class).hasSingleBean(ReactorNettyConnections.class));
    }

    @Test
    void ebbEnabledFalseTurnsEverythingOff() {
        servlet.withPropertyValues("ebb.enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean(EbbCore.class).doesNotHaveBean(EbbConfig.class).doesNotHaveBean(EbbLifecycle.class)
                .doesNotHaveBean(FilterRegistrationBean.class).doesNotHaveBean(UndertowKeepAlive.class));
    }

    @Test
    void ebbStopsOnePhaseBeforeBoot3sGracefulShutdown() {
        assertThat(EbbLifecycle.PHASE).isEqualTo(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1);
    }
}
