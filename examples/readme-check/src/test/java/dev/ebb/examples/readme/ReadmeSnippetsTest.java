package dev.ebb.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every {@code java} block of README.md compiles, as written, against the adapters and their servers. */
class ReadmeSnippetsTest {

    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("(?m)^(?:public |final )*class (\\w+)");

    @Test
    void quickStartsCompile(@TempDir Path dir) throws IOException {
        String readme = Files.readString(Path.of("..", "..", "README.md"));
        List<Path> sources = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(readme);
        while (m.find()) {
            String code = m.group(1);
            Matcher name = CLASS_NAME.matcher(code);
            assertThat(name.find()).as("README java block declares a class:%n%s", code).isTrue();
            Path file = dir.resolve(name.group(1) + ".java");
            assertThat(file).as("class names of README blocks are unique").doesNotExist();
            Files.writeString(file, code);
            sources.add(file);
        }
        assertThat(sources).as("README has the Jetty, Undertow and Netty quick starts").hasSizeGreaterThanOrEqualTo(3);

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter output = new StringWriter();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, null)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
            boolean ok = compiler.getTask(output, files, null,
                    List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString(), "-Xlint:all", "-Werror"),
                    null, units).call();
            assertThat(ok).as("README snippets compile:%n%s", output).isTrue();
        }
    }
}
