package dev.ebb.netty;

import static org.awaitility.Awaitility.await;

import dev.ebb.EbbConfig;
import dev.ebb.ShutdownReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@link TestServer}s a test starts, stopped through Ebb after it (expediting every phase), and the base
 * configuration of the Netty-specific tests. Register with {@code @RegisterExtension}; one test at a time.
 */
final class StartedServers implements AfterEachCallback {

    static final Duration WAIT = Duration.ofSeconds(20);

    private final List<TestServer> servers = new ArrayList<>();

    /** A one-minute delay that only {@code expedite()} ends, no signals, not under Kubernetes. */
    static EbbConfig.Builder config() {
        return EbbConfig.builder().kubernetes(false).handleSignals(false)
                .deregistrationDelay(Duration.ofSeconds(60)).drainTimeout(Duration.ofSeconds(20))
                .terminationGracePeriod(Duration.ofSeconds(120));
    }

    /** Stops {@code server} after the test; returns it. */
    TestServer track(TestServer server) {
        servers.add(server);
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            for (TestServer s : servers) {
                CompletableFuture<ShutdownReport> f = s.ebb().shutdown();
                await().atMost(WAIT).until(() -> {
                    s.ebb().expedite();
                    return f.isDone();
                });
                s.close();
            }
        } finally {
            servers.clear();
        }
    }
}
