package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ebb.spi.EbbCore;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Environment variables as Boot maps them to {@code ebb.*}: both spellings a user may write. */
class EnvironmentVariablesTests {

    private static WebApplicationContextRunner withEnvironment(Map<String, Object> variables) {
        return new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EbbAutoConfiguration.class))
                .withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                variables)));
    }

    @Test
    void underscoredNameAsForStandaloneAppsIsRead() {
        withEnvironment(Map.of("EBB_DRAIN_TIMEOUT", "20s")).run(context -> assertThat(
                context.getBean(EbbCore.class).config().drainTimeout()).isEqualTo(Duration.ofSeconds(20)));
    }

    @Test
    void bootsOwnFormWithoutTheDashIsRead() {
        withEnvironment(Map.of("EBB_DRAINTIMEOUT", "21s")).run(context -> assertThat(
                context.getBean(EbbCore.class).config().drainTimeout()).isEqualTo(Duration.ofSeconds(21)));
    }

    @Test
    void environmentVariablesOfOtherToolsWithTheEbbPrefixAreIgnored() {
        withEnvironment(Map.of("EBB_HOME", "/opt/ebb", "EBB_E2E", "required")).run(context -> assertThat(context)
                .hasNotFailed().hasSingleBean(EbbCore.class));
    }
}
