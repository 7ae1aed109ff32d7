package dev.ebb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a JPMS application can rely on: {@code dev.ebb} and {@code dev.ebb.spi} are the API, nothing else is. */
class ModuleTest {

    private static final Path CLASSES = Path.of("target", "classes");

    @Test
    void coreExportsTheApiAndTheSpiOnly() throws IOException {
        try (InputStream in = Files.newInputStream(CLASSES.resolve("module-info.class"))) {
            ModuleDescriptor module = ModuleDescriptor.read(in);
            assertThat(module.name()).isEqualTo("dev.ebb.core");
            assertThat(module.exports()).extracting(ModuleDescriptor.Exports::source)
                    .containsExactlyInAnyOrder("dev.ebb", "dev.ebb.spi");
            assertThat(module.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
        }
    }

    @Test
    void aModularApplicationCompilesAgainstTheApiButCannotReachInternals(@TempDir Path dir) throws IOException {
        assertThat(compile(dir.resolve("api"), "import dev.ebb.EbbConfig; import dev.ebb.spi.EbbCore;"
                + " class App { EbbConfig c = EbbConfig.defaults(); Class<?> k = EbbCore.class; }")).isEmpty();
        assertThat(compile(dir.resolve("internal"), "import dev.ebb.internal.Durations;"
                + " class App { Object d = Durations.class; }")).contains("dev.ebb.internal").contains("not visible");
    }

    /** Compiles one class in a module {@code app} that requires {@code dev.ebb.core}; returns the errors. */
    private static String compile(Path dir, String source) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), "module app { requires dev.ebb.core; }");
        Files.writeString(src.resolve("app").resolve("App.java"), "package app; " + source);
        String slf4j = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(p -> p.contains("slf4j-api")).collect(Collectors.joining(java.io.File.pathSeparator));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        List<String> options = List.of("-d", dir.resolve("out").toString(),
                "--module-path", CLASSES.toAbsolutePath() + java.io.File.pathSeparator + slf4j);
        var files = javac.getStandardFileManager(null, null, null).getJavaFileObjects(
                src.resolve("module-info.java").toFile(), src.resolve("app").resolve("App.java").toFile());
        boolean ok = javac.getTask(errors, null, null, options, null, files).call();
        return ok ? "" : errors.toString();
    }
}
