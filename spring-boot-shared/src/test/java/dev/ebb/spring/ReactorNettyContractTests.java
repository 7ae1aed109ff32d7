package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import dev.ebb.contract.AdapterContract;
import dev.ebb.contract.H2Client;
import dev.ebb.contract.RawHttp;
import dev.ebb.contract.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The adapter contract against a WebFlux application on Reactor Netty with the starter, cleartext (HTTP/1.1
 * and h2c with prior knowledge). The contract's config reaches the application as {@code ebb.*} properties;
 * {@link RunningServer#ebb()} is the application's {@code Ebb} bean.
 */
class ReactorNettyContractTests extends AdapterContract {

    /** Actuator answers the probe paths under Spring Boot, in its own format. */
    @Override
    protected boolean ebbAnswersProbes() {
        return false;
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ACTUATOR_READINESS = "/readyz";

    /** The application of the last server started. */
    private volatile ConfigurableApplicationContext context;

    @Override
    protected RunningServer start(EbbConfig config) throws Exception {
        BootContractSupport.Started started = BootContractSupport.start(config, tls(), ReactiveContractApplication.class,
                WebApplicationType.REACTIVE, TestServers.NETTY, List.of("--server.http2.enabled=true",
                        // The application answers Ebb's probe paths itself; Actuator's readiness group is here.
                        "--management.endpoint.health.group.readiness.additional-path=server:" + ACTUATOR_READINESS));
        this.context = started.context();
        return started.server();
    }

    @Test
    void http2ConnectionOpenedWhileDeregisteringGetsTheGracefulGoAwayToo() throws Exception {
        RunningServer server = start(config().build());
        Ebb ebb = server.ebb();
        try {
            CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
            try (H2Client h2 = H2Client.start(server)) {
                // Over TLS, HTTP/2 is negotiated (ALPN) only after the connection was accepted.
                H2Client.Connection connection = h2.connect();
                assertThat(connection.get("/work?ms=1").get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(200);
                assertThat(connection.goAway.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("GOAWAY received").isTrue();
                assertThat(connection.goAways.get(0).getLastStreamId()).isEqualTo(Integer.MAX_VALUE);
                await().atMost(WAIT).until(() -> connection.goAways.size() >= 2 || connection.closed.getCount() == 0);
                assertThat(connection.resets).isEmpty();
                assertThat(connection.goAways).allSatisfy(f -> assertThat(f.getError()).isZero());
            }
            ebb.expedite();
            assertThat(stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS).clean()).isTrue();
        } finally {
            stop(server);
        }
    }

    @Test
    void closingTheContextTellsWebSocketsGoingAwayAndWaitsForTheirCloseBeforeBootStopsTheServer() throws Exception {
        RunningServer server = start(config().build());
        ConfigurableApplicationContext application = context;
        Ebb ebb = server.ebb();
        try (WsClient ws = WsClient.connect(server, "/ws")) {
            ws.send("hello");
            await().atMost(WAIT).until(() -> ws.messages().contains("hello"));
            await().atMost(WAIT).until(() -> ebb.upgradedConnections() == 1);

            Thread closer = new Thread(application::close, "context-close"); // as Boot's shutdown hook does
            closer.start();
            await().atMost(WAIT).until(() -> ebb.phase() == Phase.DEREGISTERING);
            ebb.expedite();

            assertThat(ws.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("close status").isEqualTo(1001);
            ShutdownReport report = ebb.stopped().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(report.webSocketsClosed()).isEqualTo(1);
            assertThat(report.clean()).isTrue();
            closer.join(WAIT.toMillis());
            assertThat(closer.isAlive()).isFalse();
            assertThat(application.isActive()).isFalse();
        } finally {
            stop(server);
        }
    }

    @Test
    void actuatorReadinessGoesDownWhenTheApplicationCallsEbbShutdownItself() throws Exception {
        RunningServer server = start(config().build());
        try {
            assertThat(status(server, ACTUATOR_READINESS)).isEqualTo(200);
            server.ebb().shutdown();
            await().atMost(WAIT).until(() -> status(server, ACTUATOR_READINESS) == 503);
            assertThat(status(server, "/work?ms=1")).isEqualTo(200);
            assertThat(server.ebb().phase()).isEqualTo(Phase.DEREGISTERING);
        } finally {
            stop(server);
        }
    }

    private static int status(RunningServer server, String path) throws Exception {
        try (RawHttp c = RawHttp.connect(server)) {
            return c.get(path).status();
        }
    }

    private static void stop(RunningServer server) throws Exception {
        Ebb ebb = server.ebb();
        ebb.shutdown();
        await().atMost(WAIT).until(() -> {
            ebb.expedite();
            return ebb.stopped().isDone();
        });
        server.close();
    }
}
