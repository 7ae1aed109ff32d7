package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ebb.EbbConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The generated IDE metadata offers every setting core reads, with a description. */
class ConfigurationMetadataTests {

    @Test
    void everyCoreSettingIsAnIdeCompletableProperty() throws IOException {
        String metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated metadata on the classpath").isNotNull();
            metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String name : EbbConfig.PROPERTY_NAMES) {
            assertThat(metadata).as("metadata has ebb.%s", name).contains("\"name\": \"ebb." + name + "\"");
        }
        assertThat(metadata).contains("\"description\"");
        assertThat(metadata).as("IDE hints are plain text, without Javadoc markup").doesNotContain("{@");
    }
}
