package dev.ebb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EbbConfigTest {

    private static final Map<String, String> NO_ENV = Map.of();
    private static final Map<String, String> KUBERNETES = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1");

    private static EbbConfig load(Map<String, String> props, Map<String, String> env) {
        return EbbConfig.fromSources(props, env).build();
    }

    @Test
    void defaultsOutsideKubernetesHaveNoDelay() {
        EbbConfig c = load(Map.of(), NO_ENV);
        assertThat(c.enabled()).isTrue();
        assertThat(c.deregistrationDelay()).isZero();
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.terminationGracePeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.loadBalancer()).isEmpty();
        assertThat(c.loadBalancerIdleTimeout()).isEmpty();
        assertThat(c.keepAliveTimeout()).isEmpty();
        assertThat(c.idleTimeoutPolicy()).isEqualTo(IdleTimeoutPolicy.RAISE);
        assertThat(c.readinessPath()).isEqualTo("/ready");
        assertThat(c.livenessPath()).isEqualTo("/live");
        assertThat(c.handleSignals()).isTrue();
        assertThat(c.kubernetes()).isFalse();
    }

    @Test
    void underKubernetesTheDefaultDelayIsTenSecondsAndFitsTheDefaultGracePeriod() {
        EbbConfig c = load(Map.of(), KUBERNETES);
        assertThat(c.kubernetes()).isTrue();
        assertThat(c.deregistrationDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.requiredGracePeriod()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void anExplicitDelayAppliesOutsideKubernetesToo() {
        EbbConfig c = load(Map.of("ebb.deregistration-delay", "3s"), NO_ENV);
        assertThat(c.deregistrationDelay()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void readsEverySettingFromSystemProperties() {
        Map<String, String> p = new HashMap<>();
        p.put("ebb.enabled", "true");
        p.put("ebb.deregistration-delay", "PT12S");
        p.put("ebb.drain-timeout", "500ms");
        p.put("ebb.termination-grace-period", "1m");
        p.put("ebb.load-balancer", "AWS-ALB");
        p.put("ebb.load-balancer-idle-timeout", "120s");
        p.put("ebb.idle-timeout-policy", "warn");
        p.put("ebb.readiness-path", "/healthz/ready");
        p.put("ebb.liveness-path", "/healthz/live");
        p.put("ebb.handle-signals", "false");
        p.put("unrelated.property", "x");
        EbbConfig c = load(p, NO_ENV);
        assertThat(c.deregistrationDelay()).isEqualTo(Duration.ofSeconds(12));
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.terminationGracePeriod()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.loadBalancer()).contains(LoadBalancer.AWS_ALB);
        assertThat(c.loadBalancerIdleTimeout()).contains(Duration.ofSeconds(120));
        assertThat(c.keepAliveTimeout()).contains(Duration.ofSeconds(132));
        assertThat(c.idleTimeoutPolicy()).isEqualTo(IdleTimeoutPolicy.WARN);
        assertThat(c.readinessPath()).isEqualTo("/healthz/ready");
        assertThat(c.livenessPath()).isEqualTo("/healthz/live");
        assertThat(c.handleSignals()).isFalse();
    }

    @Test
    void environmentVariablesWorkAndSystemPropertiesWinOverThem() {
        Map<String, String> env = Map.of("EBB_DRAIN_TIMEOUT", "20s", "EBB_LOAD_BALANCER", "gcp");
        EbbConfig fromEnv = load(Map.of(), env);
        assertThat(fromEnv.drainTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(fromEnv.loadBalancerIdleTimeout()).contains(Duration.ofSeconds(600));
        assertThat(fromEnv.keepAliveTimeout()).contains(Duration.ofSeconds(660));

        EbbConfig both = load(Map.of("ebb.drain-timeout", "5s"), env);
        assertThat(both.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void adaptiveDeregistrationIsOnWithATwoSecondFloorAndCanBeSetFromEveryWhere() {
        EbbConfig defaults = load(Map.of(), KUBERNETES);
        assertThat(defaults.adaptiveDeregistration()).isTrue();
        assertThat(defaults.minDeregistrationDelay()).isEqualTo(Duration.ofSeconds(2));

        EbbConfig fromEnv = load(Map.of(), Map.of("EBB_ADAPTIVE_DEREGISTRATION", "false",
                "EBB_MIN_DEREGISTRATION_DELAY", "5s"));
        assertThat(fromEnv.adaptiveDeregistration()).isFalse();
        assertThat(fromEnv.minDeregistrationDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(fromEnv.toBuilder().build()).isEqualTo(fromEnv);
        assertThat(fromEnv.toString()).contains("adaptive-deregistration=false, min-deregistration-delay=5s");
    }

    @Test
    void aBadFloorOrSwitchIsRefusedWithTheFix() {
        assertThatThrownBy(() -> load(Map.of("ebb.min-deregistration-delay", "PT-1S",
                "ebb.adaptive-deregistration", "maybe"), NO_ENV))
                .isInstanceOf(EbbConfigException.class)
                .hasMessageContaining("ebb.min-deregistration-delay=-1s").hasMessageContaining("expected a duration of 0s or more")
                .hasMessageContaining("ebb.adaptive-deregistration=\"maybe\"").hasMessageContaining("expected true or false");
    }

    @Test
    void builderValuesWinOverTheSources() {
        EbbConfig c = EbbConfig.fromSources(Map.of("ebb.drain-timeout", "5s"), NO_ENV)
                .drainTimeout(Duration.ofSeconds(7)).build();
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void presetIdleTimeoutCanBeOverridden() {
        EbbConfig c = EbbConfig.builder().loadBalancer(LoadBalancer.AWS_ALB)
                .loadBalancerIdleTimeout(Duration.ofSeconds(300)).build();
        assertThat(c.loadBalancerIdleTimeout()).contains(Duration.ofSeconds(300));
        assertThat(c.keepAliveTimeout()).contains(Duration.ofSeconds(330));
        assertThat(c.loadBalancerLabel()).isEqualTo("aws-alb");
    }

    @Test
    void everyPresetHasAPositiveIdleTimeoutAndAUniqueName() {
        for (LoadBalancer lb : LoadBalancer.values()) {
            assertThat(lb.idleTimeout()).isPositive();
            assertThat(LoadBalancer.fromConfigName(lb.configName())).contains(lb);
        }
    }

    @Test
    void toBuilderRoundTrips() {
        EbbConfig c = EbbConfig.builder().kubernetes(true).drainTimeout(Duration.ofSeconds(9))
                .loadBalancer(LoadBalancer.NGINX).build();
        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(c.toString()).contains("drain-timeout=9s").contains("load-balancer=nginx")
                .contains("deregistration-delay=10s (Kubernetes default)");
    }

    @Test
    void disabledConfigSkipsTheGracePeriodCheck() {
        EbbConfig c = load(Map.of("ebb.enabled", "false", "ebb.deregistration-delay", "60s"), NO_ENV);
        assertThat(c.enabled()).isFalse();
    }

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                Arguments.of(Map.of("ebb.drain-timeout", "abc"),
                        new String[] {"ebb.drain-timeout=\"abc\"", "system property ebb.drain-timeout", "expected a duration", "Fix:"}),
                Arguments.of(Map.of("ebb.drain-timeout", "15"),
                        new String[] {"ebb.drain-timeout=\"15\"", "add a unit, e.g. 15s"}),
                Arguments.of(Map.of("ebb.deregistration-delay", "10 seconds"),
                        new String[] {"ebb.deregistration-delay=\"10 seconds\"", "500ms, 10s, 2m or PT10S"}),
                Arguments.of(Map.of("ebb.deregistration-delay", "-PT5S"),
                        new String[] {"ebb.deregistration-delay=-5s", "expected a duration of 0s or more"}),
                Arguments.of(Map.of("ebb.drain-timeout", "-1s"),
                        new String[] {"ebb.drain-timeout=\"-1s\"", "expected a duration"}),
                Arguments.of(Map.of("ebb.termination-grace-period", "0s"),
                        new String[] {"ebb.termination-grace-period=0s", "expected a positive duration", "terminationGracePeriodSeconds"}),
                Arguments.of(Map.of("ebb.deregistration-delay", "20s", "ebb.drain-timeout", "15s"),
                        new String[] {"ebb.termination-grace-period=30s", "expected at least 40s", "terminationGracePeriodSeconds: 40"}),
                Arguments.of(Map.of("ebb.load-balancer", "aws-elb"),
                        new String[] {"ebb.load-balancer=\"aws-elb\"", "one of aws-alb, aws-nlb", "ebb.load-balancer-idle-timeout"}),
                Arguments.of(Map.of("ebb.load-balancer-idle-timeout", "0s"),
                        new String[] {"ebb.load-balancer-idle-timeout=0s", "expected a positive duration"}),
                Arguments.of(Map.of("ebb.idle-timeout-policy", "ignore"),
                        new String[] {"ebb.idle-timeout-policy=\"ignore\"", "raise, fail or warn"}),
                Arguments.of(Map.of("ebb.enabled", "yes"),
                        new String[] {"ebb.enabled=\"yes\"", "true or false"}),
                Arguments.of(Map.of("ebb.handle-signals", "1"),
                        new String[] {"ebb.handle-signals=\"1\"", "true or false"}),
                Arguments.of(Map.of("ebb.readiness-path", "ready"),
                        new String[] {"ebb.readiness-path=\"ready\"", "expected an absolute path"}),
                Arguments.of(Map.of("ebb.liveness-path", "/live?x=1"),
                        new String[] {"ebb.liveness-path=\"/live?x=1\"", "without query"}),
                Arguments.of(Map.of("ebb.readiness-path", "/health", "ebb.liveness-path", "/health"),
                        new String[] {"both \"/health\"", "two different paths"}),
                Arguments.of(Map.of("ebb.drain-timout", "10s"),
                        new String[] {"system property ebb.drain-timout is not an Ebb setting", "did you mean ebb.drain-timeout?"}),
                Arguments.of(Map.of("ebb.drain-timeout", "99999999999999d"),
                        new String[] {"ebb.drain-timeout=\"99999999999999d\"", "expected a duration"}));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badConfigurations")
    void badConfigurationIsRefusedWithAMessageNamingPropertyValueExpectationAndFix(Map<String, String> props, String[] expected) {
        assertThatThrownBy(() -> load(props, NO_ENV))
                .isInstanceOf(EbbConfigException.class)
                .hasMessageStartingWith("Invalid Ebb configuration")
                .hasMessageContaining("Fix")
                .satisfies(e -> {
                    for (String part : expected) {
                        assertThat(e.getMessage()).contains(part);
                    }
                });
    }

    @Test
    void environmentErrorsNameTheVariable() {
        assertThatThrownBy(() -> load(Map.of(), Map.of("EBB_DRAIN_TIMEOUT", "soon")))
                .hasMessageContaining("environment variable EBB_DRAIN_TIMEOUT").hasMessageContaining("\"soon\"");
    }

    @Test
    void unrelatedEnvironmentVariablesWithThePrefixAreIgnoredButMisspeltSettingsAreNot() {
        assertThat(load(Map.of(), Map.of("EBB_E2E", "required", "EBB_HOME", "/opt/ebb")).enabled()).isTrue();
        assertThatThrownBy(() -> load(Map.of(), Map.of("EBB_DRAIN_TIMOUT", "10s")))
                .hasMessageContaining("environment variable EBB_DRAIN_TIMOUT is not an Ebb setting")
                .hasMessageContaining("did you mean ebb.drain-timeout?");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        EbbConfigException e = org.junit.jupiter.api.Assertions.assertThrows(EbbConfigException.class,
                () -> load(Map.of("ebb.drain-timeout", "x", "ebb.load-balancer", "nope", "ebb.enabled", "maybe"), NO_ENV));
        assertThat(e.problems()).hasSize(3);
        assertThat(e.getMessage()).contains("3 problems");
    }

    @Test
    void builderRejectsNullDurationsAtOnce() {
        assertThatThrownBy(() -> EbbConfig.builder().drainTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("drainTimeout");
    }

    @Test
    void systemPropertyWinsAndTheEnvironmentVariableItOverridesIsNotRead() {
        EbbConfig config = EbbConfig.fromSources(java.util.Map.of("ebb.drain-timeout", "20s"),
                java.util.Map.of("EBB_DRAIN_TIMEOUT", "soon", "EBB_DEREGISTRATION_DELAY", "3s")).build();
        assertThat(config.drainTimeout()).isEqualTo(java.time.Duration.ofSeconds(20));
        assertThat(config.deregistrationDelay()).isEqualTo(java.time.Duration.ofSeconds(3));
    }

    @Test
    void problemsThatCanBeFoundTogetherAreReportedTogether() {
        assertThatThrownBy(() -> EbbConfig.fromSources(java.util.Map.of("ebb.drain-timeout", "15", "ebb.load-balancer", "aws-elb"),
                java.util.Map.of()).build())
                .isInstanceOf(EbbConfigException.class)
                .hasMessageContaining("(2 problems)")
                .satisfies(e -> System.out.println("[config] " + e.getMessage()));
    }
}
