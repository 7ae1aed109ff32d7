package dev.ebb.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ebb.EbbConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The example manifests parse and agree with the configuration Ebb builds from them. */
class ManifestsTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(String file) throws IOException {
        try (Reader r = Files.newBufferedReader(Path.of(file))) {
            return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String... path) {
        Object cur = node;
        for (String p : path) {
            cur = p.matches("\\d+") ? ((List<Object>) cur).get(Integer.parseInt(p)) : ((Map<String, Object>) cur).get(p);
            assertThat(cur).as("manifest has %s", String.join(".", path)).isNotNull();
        }
        return (T) cur;
    }

    private static EbbConfig configOf(Map<String, Object> container) {
        Map<String, String> env = new HashMap<>();
        env.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        List<Map<String, Object>> vars = at(container, "env");
        for (Map<String, Object> v : vars) {
            env.put((String) v.get("name"), String.valueOf(v.get("value")));
        }
        return EbbConfig.fromSources(Map.of(), env).build();
    }

    @Test
    void deploymentFitsEbbsPlanAndProbesItsPaths() throws IOException {
        Map<String, Object> deployment = load("deployment.yaml");
        Map<String, Object> pod = at(deployment, "spec", "template", "spec");
        Map<String, Object> container = at(pod, "containers", "0");
        EbbConfig config = configOf(container);

        int grace = at(pod, "terminationGracePeriodSeconds");
        assertThat(Duration.ofSeconds(grace)).isGreaterThanOrEqualTo(config.requiredGracePeriod())
                .isEqualTo(config.terminationGracePeriod());
        assertThat(config.deregistrationDelay()).isEqualTo(EbbConfig.defaults().toBuilder().kubernetes(true).build().deregistrationDelay());
        assertThat((String) at(container, "readinessProbe", "httpGet", "path")).isEqualTo(config.readinessPath());
        assertThat((String) at(container, "livenessProbe", "httpGet", "path")).isEqualTo(config.livenessPath());
        assertThat(container).as("no preStop sleep needed").doesNotContainKey("lifecycle");

        int period = at(container, "readinessProbe", "periodSeconds");
        int failures = at(container, "readinessProbe", "failureThreshold");
        assertThat(Duration.ofSeconds((long) period * failures)).as("readiness seen failing within the delay")
                .isLessThan(config.deregistrationDelay());
        assertThat((int) at(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable")).isZero();
    }

    @Test
    void albIngressMatchesThePresetAndCoversTheDrain() throws IOException {
        Map<String, Object> container = at(load("deployment.yaml"), "spec", "template", "spec", "containers", "0");
        EbbConfig config = configOf(container);
        Map<String, String> annotations = at(load("ingress-alb.yaml"), "metadata", "annotations");

        long idle = Long.parseLong(annotations.get("alb.ingress.kubernetes.io/load-balancer-attributes")
                .replace("idle_timeout.timeout_seconds=", ""));
        assertThat(Duration.ofSeconds(idle)).isEqualTo(config.loadBalancerIdleTimeout().orElseThrow());
        assertThat(config.keepAliveTimeout().orElseThrow()).isGreaterThan(Duration.ofSeconds(idle));

        long deregistration = Long.parseLong(annotations.get("alb.ingress.kubernetes.io/target-group-attributes")
                .replace("deregistration_delay.timeout_seconds=", ""));
        assertThat(Duration.ofSeconds(deregistration)).isGreaterThanOrEqualTo(config.deregistrationDelay().plus(config.drainTimeout()));
        assertThat(annotations.get("alb.ingress.kubernetes.io/healthcheck-path")).isEqualTo(config.readinessPath());
        assertThat(annotations.get("alb.ingress.kubernetes.io/target-type")).isEqualTo("ip");
    }

    @Test
    void serviceAndDisruptionBudgetSelectTheDeploymentsPods() throws IOException {
        Map<String, Object> labels = at(load("deployment.yaml"), "spec", "template", "metadata", "labels");
        Map<String, Object> serviceSelector = at(load("service.yaml"), "spec", "selector");
        Map<String, Object> budgetSelector = at(load("pdb.yaml"), "spec", "selector", "matchLabels");
        assertThat(serviceSelector).isEqualTo(labels);
        assertThat(budgetSelector).isEqualTo(labels);
        assertThat((int) at(load("pdb.yaml"), "spec", "maxUnavailable")).isEqualTo(1);
    }
}
