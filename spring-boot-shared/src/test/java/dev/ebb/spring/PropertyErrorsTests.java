package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ebb.EbbConfigException;
import dev.ebb.LoadBalancer;
import dev.ebb.spi.EbbCore;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** Bad {@code ebb.*} properties fail start-up with Ebb's own message, as for standalone apps. */
class PropertyErrorsTests {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EbbAutoConfiguration.class));

    @Test
    void misspeltPropertyIsRefusedWithADidYouMean() {
        runner.withPropertyValues("ebb.drain-timout=20s").run(context -> assertThat(context).getFailure()
                .hasRootCauseInstanceOf(EbbConfigException.class)
                .rootCause().hasMessageContaining("Spring property ebb.drain-timout")
                .hasMessageContaining("is not an Ebb setting").hasMessageContaining("drain-timeout"));
    }

    @Test
    void everyRelaxedSpellingOfARealPropertyIsAccepted() {
        runner.withPropertyValues("ebb.drainTimeout=20s", "ebb.deregistration_delay=3s").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(EbbCore.class).config().drainTimeout()).hasSeconds(20);
            assertThat(context.getBean(EbbCore.class).config().deregistrationDelay()).hasSeconds(3);
        });
    }

    @Test
    void unknownPresetGetsEbbsMessageNamingThePresets() {
        runner.withPropertyValues("ebb.load-balancer=aws-elb").run(context -> assertThat(context).getFailure()
                .hasRootCauseInstanceOf(EbbConfigException.class)
                .rootCause().hasMessageContaining("ebb.load-balancer=\"aws-elb\"")
                .hasMessageContaining(LoadBalancer.configNames()));
    }

    @Test
    void presetNoneMeansNoLoadBalancer() {
        runner.withPropertyValues("ebb.load-balancer=none").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(EbbCore.class).config().loadBalancer()).isEmpty();
        });
    }

    @Test
    void presetNamesBindInAnyCase() {
        runner.withPropertyValues("ebb.load-balancer=AWS_ALB").run(context -> assertThat(
                context.getBean(EbbCore.class).config().loadBalancer()).contains(LoadBalancer.AWS_ALB));
    }
}
