package dev.ebb.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvn -Prelease -DskipTests package} keeps producing what Maven Central needs for every published
 * module: the jar with its LICENSE, a sources jar and a javadoc jar (javadoc warnings fail that build), built
 * reproducibly. Runs the real Maven builds in child processes: the release build in this tree, then core alone
 * from a copy of the sources in another directory, whose jar must be the same.
 */
class ReleaseBuildTest {

    private static final Path ROOT = Path.of("..", "..").toAbsolutePath().normalize();
    private static final List<String> PUBLISHED = List.of("core", "jetty-adapter", "undertow-adapter", "netty-adapter",
            "spring-boot-starter", "spring-boot3-starter");

    @Test
    void releaseProfileBuildsSourcesAndJavadocJarsReproduciblyWithTheLicense(@TempDir Path copy) throws Exception {
        // The enforcer's rules are the normal build's, checked there; this build is about what the profile adds.
        mvn(ROOT, "-Prelease", "-DskipTests", "-Denforcer.skip=true", "package", "-pl", "bom," + String.join(",", PUBLISHED));
        for (String module : PUBLISHED) {
            Path target = ROOT.resolve(module).resolve("target");
            Path jar = mainJar(target);
            assertThat(only(target, "-sources.jar")).as("%s sources jar", module).isNotNull();
            assertThat(only(target, "-javadoc.jar")).as("%s javadoc jar", module).isNotNull();
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                assertThat(zip.getEntry("META-INF/LICENSE")).as("%s carries the LICENSE", module).isNotNull();
            }
        }
        // A fresh build elsewhere, at another time, without touching this tree's outputs (tests are not compiled:
        // they are not in the jar).
        copySources(ROOT, copy);
        mvn(copy, "-Dmaven.test.skip=true", "-Denforcer.skip=true", "package", "-pl", "core");
        assertThat(sha256(mainJar(copy.resolve("core").resolve("target"))))
                .as("the same sources give the same jar (core/target/classes holds nothing stale? mvn clean)").isEqualTo(sha256(mainJar(ROOT.resolve("core").resolve("target"))));
    }

    /** Copies the source tree, without build outputs and version control. */
    private static void copySources(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String name = dir.getFileName().toString();
                if (!dir.equals(from) && (name.equals("target") || name.equals(".git"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!file.getFileName().toString().equals(".git")) {
                    Files.copy(file, to.resolve(from.relativize(file).toString()));
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void mvn(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("ebb-release", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
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
