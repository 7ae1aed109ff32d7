package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ebb.EbbConfig;
import dev.ebb.IdleTimeoutPolicy;
import dev.ebb.LoadBalancer;
import dev.ebb.Phase;
import dev.ebb.spi.EbbCore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.DefaultLifecycleProcessor;
import org.springframework.test.util.ReflectionTestUtils;
import reactor.netty.http.server.HttpServer;

class EbbAutoConfigurationTests {

    private final WebApplicationContextRunner servlet = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EbbAutoConfiguration.class));
    private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EbbAutoConfiguration.class));

    @Test
    void servletApplicationGetsTheFilterTheLifecycleAndEveryServersCustomizer() {
        servlet.run(context -> {
            assertThat(context).hasSingleBean(EbbCore.class).hasSingleBean(EbbLifecycle.class)
                    .hasSingleBean(FilterRegistrationBean.class).doesNotHaveBean(EbbWebFilter.class)
                    .hasSingleBean(TomcatKeepAlive.class).hasSingleBean(JettyKeepAlive.class)
                    .hasSingleBean(NettyKeepAlive.class).hasSingleBean(EbbMetrics.class);
            assertThat(context.getBean(FilterRegistrationBean.class).getFilter()).isInstanceOf(EbbServletFilter.class);
        });
    }

    @Test
    void reactiveApplicationGetsTheWebFilter() {
        reactive.run(context -> assertThat(context).hasSingleBean(EbbWebFilter.class)
                .doesNotHaveBean(FilterRegistrationBean.class).hasSingleBean(EbbLifecycle.class));
    }

    @Test
    void nonWebApplicationGetsNothing() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(EbbAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean(EbbCore.class));
    }

    @Test
    void eachServersCustomizerNeedsItsServerOnTheClassPath() {
        servlet.withClassLoader(new FilteredClassLoader(Tomcat.class, Server.class)).run(context -> assertThat(context)
                .doesNotHaveBean(TomcatKeepAlive.class).doesNotHaveBean(JettyKeepAlive.class)
                .hasSingleBean(NettyKeepAlive.class));
        reactive.withClassLoader(new FilteredClassLoader(HttpServer.class)).run(context -> assertThat(context)
                .doesNotHaveBean(NettyKeepAlive.class).hasSingleBean(TomcatKeepAlive.class));
    }

    @Test
    void metricsNeedMicrometerOnTheClassPath() {
        servlet.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
                .run(context -> assertThat(context).doesNotHaveBean(EbbMetrics.class).hasSingleBean(EbbCore.class));
    }

    @Test
    void enabledFalseTurnsEverythingOff() {
        servlet.withPropertyValues("ebb.enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean(EbbCore.class).doesNotHaveBean(EbbConfig.class).doesNotHaveBean(EbbLifecycle.class)
                .doesNotHaveBean(FilterRegistrationBean.class).doesNotHaveBean(TomcatKeepAlive.class)
                .doesNotHaveBean(ShutdownPhaseTimeouts.class));
    }

    @Test
    void propertiesBindOntoTheConfiguration() {
        servlet.withPropertyValues("ebb.deregistration-delay=2s", "ebb.drain-timeout=500ms",
                "ebb.termination-grace-period=PT20S", "ebb.load-balancer=aws-alb", "ebb.load-balancer-idle-timeout=70",
                "ebb.idle-timeout-policy=warn").run(context -> {
                    EbbConfig config = context.getBean(EbbConfig.class);
                    assertThat(config.deregistrationDelay()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(config.drainTimeout()).isEqualTo(Duration.ofMillis(500));
                    assertThat(config.terminationGracePeriod()).isEqualTo(Duration.ofSeconds(20));
                    assertThat(config.loadBalancer()).contains(LoadBalancer.AWS_ALB);
                    assertThat(config.loadBalancerIdleTimeout()).as("no unit: seconds").contains(Duration.ofSeconds(70));
                    assertThat(config.idleTimeoutPolicy()).isEqualTo(IdleTimeoutPolicy.WARN);
                });
    }

    @Test
    void signalsAreTakenByDefaultAndHandleSignalsFalseLeavesThemToBoot() {
        // Never true in this JVM (its context would take the test JVM's signals): SignalsTests uses child JVMs.
        assertThat(new EbbProperties().toConfig().handleSignals()).as("default").isTrue();
        servlet.withPropertyValues("ebb.handle-signals=false").run(context ->
                assertThat(context.getBean(EbbConfig.class).handleSignals()).isFalse());
    }

    @Test
    void negativeDurationFailsStartupNamingTheProperty() {
        servlet.withPropertyValues("ebb.drain-timeout=-1s").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("ebb.drain-timeout=-1s").hasMessageContaining("Fix:"));
    }

    @Test
    void unparsableDurationFailsStartupNamingTheProperty() {
        servlet.withPropertyValues("ebb.deregistration-delay=soon").run(context -> assertThat(context).hasFailed()
                .getFailure().hasStackTraceContaining("ebb.deregistration-delay"));
    }

    @Test
    void unknownLoadBalancerFailsStartupNamingTheProperty() {
        servlet.withPropertyValues("ebb.load-balancer=f5").run(context -> assertThat(context).hasFailed()
                .getFailure().hasStackTraceContaining("ebb.load-balancer"));
    }

    @Test
    void delayAndDrainLongerThanTheGracePeriodFailStartup() {
        servlet.withPropertyValues("ebb.deregistration-delay=20s", "ebb.drain-timeout=20s").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("ebb.termination-grace-period=30s")
                        .hasMessageContaining("expected at least 45s"));
    }

    @Test
    void lifecycleStopsJustBeforeBootsGracefulShutdown() {
        assertThat(EbbLifecycle.PHASE).isGreaterThan(WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE);
        servlet.run(context -> assertThat(context.getBean(EbbLifecycle.class).getPhase()).isEqualTo(EbbLifecycle.PHASE));
    }

    @Test
    void shutdownPhaseTimeoutsFitTheDelayAndTheDrainTimeout() {
        servlet.withConfiguration(AutoConfigurations.of(LifecycleAutoConfiguration.class))
                .withPropertyValues("ebb.deregistration-delay=4s", "ebb.drain-timeout=7s").run(context -> {
                    DefaultLifecycleProcessor processor = context.getBean(DefaultLifecycleProcessor.class);
                    assertThat(shutdownTimeout(processor, EbbLifecycle.PHASE)).isEqualTo(16_000L);
                    assertThat(shutdownTimeout(processor, WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE))
                            .isEqualTo(7_000L);
                });
    }

    private static Long shutdownTimeout(DefaultLifecycleProcessor processor, int phase) {
        return ReflectionTestUtils.invokeMethod(processor, "determineShutdownTimeout", phase);
    }

    @Test
    void everyBeanBacksOffWhenTheApplicationDefinesItsOwn() {
        List<Method> unguarded = new ArrayList<>();
        List<Class<?>> classes = new ArrayList<>(List.of(EbbAutoConfiguration.class.getDeclaredClasses()));
        classes.add(EbbAutoConfiguration.class);
        for (Class<?> type : classes) {
            for (Method method : type.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Bean.class) && !method.isAnnotationPresent(ConditionalOnMissingBean.class)
                        && !method.isAnnotationPresent(ConditionalOnMissingFilterBean.class)) {
                    unguarded.add(method);
                }
            }
        }
        assertThat(unguarded).isEmpty();
    }

    @Test
    void applicationsOwnEbbReplacesTheAutoConfiguredOne() {
        servlet.withUserConfiguration(OwnEbb.class).run(context -> {
            assertThat(context).hasSingleBean(EbbCore.class).hasSingleBean(EbbConfig.class);
            assertThat(context.getBean(EbbCore.class)).isSameAs(OwnEbb.CORE);
            assertThat(context.getBean(EbbConfig.class).drainTimeout()).isEqualTo(Duration.ofSeconds(3));
        });
    }

    @Test
    void metricsShowThePhase() {
        servlet.run(context -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(EbbMetrics.class).bindTo(registry);
            assertThat(registry.get("ebb.phase").gauge().value()).isEqualTo(Phase.SERVING.ordinal());
            assertThat(registry.get("ebb.shutdown.requests").tag("outcome", "aborted").functionCounter().count()).isZero();
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEbb {
        static final EbbCore CORE = EbbCore.create(EbbConfig.builder().handleSignals(false).build(), new BootServerAdapter());

        @Bean
        EbbConfig ownEbbConfig() {
            return EbbConfig.builder().drainTimeout(Duration.ofSeconds(3)).build();
        }

        @Bean
        EbbCore ownEbb() {
            return CORE;
        }
    }
}
