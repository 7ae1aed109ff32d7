package dev.ebb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ebb.LoadBalancer;
import dev.ebb.contract.RawHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The keep-alive idle timeout each example app really applies, measured on a socket straight to it, is above
 * the load balancer's idle timeout named by a preset. The preset with the shortest timeout (CloudFront, 5 s)
 * keeps the test short.
 */
class KeepAliveIdleTimeoutTest {

    private static final LoadBalancer PRESET = LoadBalancer.CLOUDFRONT;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", "undertow", "netty", "spring-boot"})
    void idleKeepAliveConnectionOutlivesTheLoadBalancersIdleTimeout(String name, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        ExampleApp app = new ExampleApp(name);
        E2e.needApp(app);
        try (AppInstance instance = new AppInstance(app, "s1", Ports.free(),
                List.of("-Debb.load-balancer=" + PRESET.configName()), dir)) {
            instance.start();
            await().atMost(RollingRestart.START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .failFast("exited during start-up", () -> !instance.alive()).until(instance::ready);
            try (RawHttp connection = RawHttp.connect(instance.port())) {
                assertThat(connection.get("/work?ms=1").status()).isEqualTo(200);
                long idleSince = System.nanoTime();
                Duration lbPlusOne = PRESET.idleTimeout().plusSeconds(1);
                assertThat(connection.closedByServerWithin(lbPlusOne))
                        .as("connection closed before the %s idle timeout (%s) was over", PRESET.configName(),
                                PRESET.idleTimeout())
                        .isFalse();
                long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince);
                System.out.printf("[e2e] %s: idle keep-alive connection still open after %d ms (%s idle timeout %d ms)%n",
                        name, idleMs, PRESET.configName(), PRESET.idleTimeout().toMillis());
            }
        }
    }
}
