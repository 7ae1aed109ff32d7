package dev.ebb.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * {@code mvn -Prelease -DskipTests package} keeps producing what Maven Central needs for every published
 * module: the jar with its LICENSE, a sources jar and a javadoc jar (javadoc warnings fail that build), built
 * reproducibly. Runs the real Maven build in a child process.
 */
class ReleaseBuildTest {

    private static final Path ROOT = Path.of("..", "..").toAbsolutePath().normalize();
    private static final List<String> PUBLISHED = List.of("core", "jetty-adapter", "undertow-adapter", "netty-adapter",
            "spring-boot-starter", "spring-boot3-starter");

    @Test
    void releaseProfileBuildsSourcesAndJavadocJarsReproduciblyWithTheLicense() throws Exception {
        mvn("-Prelease", "-DskipTests", "package", "-pl", "bom," + String.join(",", PUBLISHED));
        for (String module : PUBLISHED) {
            Path target = ROOT.resolve(module).resolve("target");
            Path jar = mainJar(target);
            assertThat(only(target, "-sources.jar")).as("%s sources jar", module).isNotNull();
            assertThat(only(target, "-javadoc.jar")).as("%s javadoc jar", module).isNotNull();
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                assertThat(zip.getEntry("META-INF/LICENSE")).as("%s carries the LICENSE", module).isNotNull();
            }
        }
        String first = sha256(mainJar(ROOT.resolve("core").resolve("target")));
        mvn("-DskipTests", "clean", "package", "-pl", "core");
        assertThat(sha256(mainJar(ROOT.resolve("core").resolve("target"))))
                .as("the same sources give the same jar").isEqualTo(first);
    }

    private static void mvn(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("ebb-release", ".log");
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("mvn %s finished", String.join(" ", args)).isTrue();
        assertThat(p.exitValue()).as("mvn %s; output:%n%s", String.join(" ", args), Files.readString(log)).isZero();
        Files.delete(log);
    }

    private static Path mainJar(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            List<Path> found = files.filter(f -> {
                String name = f.getFileName().toString();
                return name.endsWith(".jar") && !name.endsWith("-sources.jar") && !name.endsWith("-javadoc.jar")
                        && !name.endsWith("-tests.jar");
            }).toList();
            assertThat(found).as("one main jar in %s", dir).hasSize(1);
            return found.get(0);
        }
    }

    private static Path only(Path dir, String suffix) throws IOException {
        try (var files = Files.list(dir)) {
            List<Path> found = files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
            assertThat(found).as("one *%s in %s", suffix, dir).hasSize(1);
            return found.get(0);
        }
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
