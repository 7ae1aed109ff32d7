package dev.ebb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The documentation names everything the code reads. */
class DocumentationTest {

    private static String doc(String name) throws IOException {
        return Files.readString(Path.of("..", "docs", name));
    }

    @Test
    void everyPropertyIsDocumentedInConfigurationMd() throws IOException {
        String doc = doc("configuration.md");
        for (String name : EbbConfig.PROPERTY_NAMES) {
            assertThat(doc).as("docs/configuration.md documents ebb.%s", name).contains("`ebb." + name + "`");
        }
    }

    @Test
    void everyLoadBalancerPresetIsDocumented() throws IOException {
        String config = doc("configuration.md");
        String lbs = doc("load-balancers.md");
        for (LoadBalancer lb : LoadBalancer.values()) {
            assertThat(config).as("configuration.md lists preset %s", lb.configName()).contains("`" + lb.configName() + "`");
            assertThat(lbs).as("load-balancers.md lists preset %s", lb.configName()).contains("`" + lb.configName() + "`");
        }
    }
}
