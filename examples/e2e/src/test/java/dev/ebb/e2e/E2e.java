package dev.ebb.e2e;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.List;

/**
 * When the end-to-end tests run: missing tools or example jars skip a test with the fix, unless
 * {@code EBB_E2E=required} (set by {@code .ci/run}), under which they fail it.
 */
final class E2e {

    private E2e() {
    }

    static boolean required() {
        return "required".equalsIgnoreCase(System.getenv("EBB_E2E"))
                || "required".equalsIgnoreCase(System.getProperty("ebb.e2e"));
    }

    /** Skips (or fails, under {@code EBB_E2E=required}) unless every tool is installed. */
    static void needTools(String... tools) {
        List<String> missing = Tools.missing(tools);
        if (!missing.isEmpty()) {
            unavailable("end-to-end test needs " + String.join(", ", missing) + ": install with `"
                    + Tools.INSTALL + "` (EBB_E2E=required makes this a failure)");
        }
    }

    /** Skips if the app's module is not in this checkout; skips (or fails) if its jar is not built. */
    static void needApp(ExampleApp app) {
        assumeTrue(app.present(), "examples/" + app.name() + " is not in this checkout");
        if (!Files.isRegularFile(app.jar())) {
            unavailable(app.jar() + " is missing: build it with `mvn -B -DskipTests package -pl examples/"
                    + app.name() + " -am` (or run `mvn verify` from the root)");
        }
    }

    private static void unavailable(String message) {
        if (required()) {
            fail(message);
        }
        System.out.println("[e2e] SKIPPED: " + message);
        assumeTrue(false, message);
    }
}
