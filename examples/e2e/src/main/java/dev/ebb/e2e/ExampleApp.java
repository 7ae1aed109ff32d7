package dev.ebb.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One example app of {@code examples/}: its name and the runnable jar {@code mvn package} builds,
 * {@code examples/<name>/target/ebb-example-<name>.jar}. Immutable.
 *
 * @param name the module name, e.g. {@code jetty} or {@code spring-boot}
 */
public record ExampleApp(String name) {

    /** The examples directory of this checkout (found from the working directory upwards). */
    public static Path examplesDir() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("examples/pom.xml"))) {
                return p.resolve("examples");
            }
            if (p.getFileName() != null && p.getFileName().toString().equals("examples")
                    && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no examples/pom.xml above " + dir);
    }

    /** Whether this checkout has the module ({@code examples/<name>/pom.xml}). */
    public boolean present() {
        return Files.isRegularFile(examplesDir().resolve(name).resolve("pom.xml"));
    }

    /** The runnable jar (may not exist yet). */
    public Path jar() {
        return examplesDir().resolve(name).resolve("target").resolve("ebb-example-" + name + ".jar");
    }

    @Override
    public String toString() {
        return name;
    }
}
