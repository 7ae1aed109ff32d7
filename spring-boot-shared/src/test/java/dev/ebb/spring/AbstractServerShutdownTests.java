package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ebb.EbbConfigException;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import dev.ebb.spi.EbbCore;
import dev.ebb.contract.RawHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter on a real server: a full application on an ephemeral port, real sockets, shutdown by
 * closing the context on another thread as Boot's shutdown hook does.
 */
abstract class AbstractServerShutdownTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Servlet or reactive. */
    abstract WebApplicationType type();

    /** The server under test, one of {@link TestServers}'. */
    abstract String server();

    /** The property by which the application sets this server's keep-alive idle timeout. */
    abstract String keepAliveProperty();

    /** The keep-alive idle timeout the started server applies. */
    abstract Duration keepAliveOf(WebServer server) throws Exception;

    /** Whether the starter drives the server: closes its listener when draining begins. */
    boolean starterDrivesServer() {
        return true;
    }

    @BeforeEach
    void clearHeld() {
        TestApplication.HELD.clear();
    }

    /** Starts the application with a deregistration delay of {@code delay}. */
    ConfigurableApplicationContext start(String delay, String... extra) {
        SpringApplication application = new SpringApplication(TestApplication.class);
        application.setWebApplicationType(type());
        List<String> args = new ArrayList<>(TestServers.use(application, type(), server()));
        args.addAll(List.of(
                "--server.port=0",
                "--spring.main.banner-mode=off",
                "--management.endpoint.health.probes.enabled=true",
                "--management.endpoint.health.group.readiness.additional-path=server:/ready",
                "--ebb.deregistration-delay=" + delay,
                "--ebb.drain-timeout=10s",
                "--ebb.termination-grace-period=60s",
                "--ebb.load-balancer=aws-alb"));
        if (type() == WebApplicationType.REACTIVE) {
            args.add(BootContractSupport.NO_QUIET_PERIOD);
        }
        for (String arg : extra) {
            // An extra argument replaces the default of the same property.
            String key = arg.substring(0, arg.indexOf('=') + 1);
            args.removeIf(a -> a.startsWith(key));
            args.add(arg);
        }
        return application.run(args.toArray(String[]::new));
    }

    static int port(ConfigurableApplicationContext context) {
        return BootWeb.webServer(context).getPort();
    }

    @Test
    void keepAliveIdleTimeoutIsRaisedAboveTheLoadBalancers() throws Exception {
        try (ConfigurableApplicationContext context = start("0s")) {
            // aws-alb: 60s, plus the larger of 5s and 10%.
            assertThat(keepAliveOf(BootWeb.webServer(context)))
                    .isEqualTo(Duration.ofSeconds(66));
        }
    }

    @Test
    void keepAliveIdleTimeoutTheApplicationSetIsKeptWhenAboveTheLoadBalancers() throws Exception {
        try (ConfigurableApplicationContext context = start("0s", "--" + keepAliveProperty() + "=90s")) {
            assertThat(keepAliveOf(BootWeb.webServer(context)))
                    .isEqualTo(Duration.ofSeconds(90));
        }
    }

    @Test
    void keepAliveIdleTimeoutTheApplicationSetBelowTheLoadBalancersFailsStartup() {
        assertThatThrownBy(() -> start("0s", "--" + keepAliveProperty() + "=10s").close())
                .hasRootCauseInstanceOf(EbbConfigException.class)
                .rootCause().hasMessageContaining("set by the application to 10s")
                .hasMessageContaining("aws-alb idle timeout 60s");
    }

    @Test
    void readinessFailsWhileEveryRequestIsServedWithConnectionCloseThenInFlightRequestsDrain() throws Exception {
        ConfigurableApplicationContext context = start("20s");
        int port = port(context);
        EbbCore ebb = context.getBean(EbbCore.class);
        assertThat(get(port, "/ready").status()).isEqualTo(200);
        RawHttp.Response before = get(port, "/work");
        assertThat(before.status()).isEqualTo(200);
        assertThat(before.connectionClose()).isFalse();

        RawHttp inFlight = RawHttp.connect(port).send("GET", "/work?hold=true");
        CompletableFuture<String> held = TestApplication.HELD.poll(30, TimeUnit.SECONDS);
        assertThat(held).as("the held request reached the application").isNotNull();

        Thread closer = new Thread(context::close, "context-close");
        closer.start();
        await().atMost(WAIT).until(() -> get(port, "/ready").status() == 503);
        assertThat(ebb.phase()).isEqualTo(Phase.DEREGISTERING);

        for (String path : List.of("/work", "/sync")) {
            try (RawHttp c = RawHttp.connect(port)) {
                RawHttp.Response during = c.get(path);
                assertThat(during.status()).as(path).isEqualTo(200);
                assertThat(during.body()).as(path).isEqualTo("done");
                assertThat(during.connectionClose()).as(path + " asks to close the connection").isTrue();
                assertThat(c.closedByServerWithin(WAIT)).as(path + " closes the connection").isTrue();
            }
        }
        assertThat(ebb.phase()).as("the delay (20s) is still running").isEqualTo(Phase.DEREGISTERING);

        ebb.expedite(); // ends the deregistration delay now
        await().atMost(WAIT).until(() -> ebb.phase() == Phase.DRAINING);
        if (starterDrivesServer()) {
            await().atMost(WAIT).until(() -> RawHttp.refuses(port));
        }
        assertThat(closer.isAlive()).as("the context waits for the in-flight request").isTrue();

        held.complete("done");
        RawHttp.Response drained = inFlight.read();
        inFlight.close();
        assertThat(drained.status()).isEqualTo(200);
        assertThat(drained.body()).isEqualTo("done");

        closer.join(WAIT.toMillis());
        assertThat(closer.isAlive()).isFalse();
        assertThat(context.isActive()).isFalse();
        ShutdownReport report = ebb.stopped().get(30, TimeUnit.SECONDS);
        assertThat(report.requestsAborted()).isZero();
        assertThat(report.requestsWhileDeregistering()).isGreaterThanOrEqualTo(2);
        assertThat(report.connectionCloseResponses()).isGreaterThanOrEqualTo(2);
        // The held request, and maybe one answered just before expedite() whose completion the server
        // signalled after the response was sent.
        assertThat(report.requestsCompletedWhileDraining()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void requestAbortedByTheThirdSignalDoesNotHoldTheContextsCloseForAnotherDrainTimeout() throws Exception {
        ConfigurableApplicationContext context = start("60s", "--ebb.drain-timeout=120s",
                "--ebb.termination-grace-period=200s");
        EbbCore ebb = context.getBean(EbbCore.class);
        try (RawHttp inFlight = RawHttp.connect(port(context)).send("GET", "/work?hold=true")) {
            assertThat(TestApplication.HELD.poll(30, TimeUnit.SECONDS)).as("the held request reached the application")
                    .isNotNull();
            Thread closer = new Thread(context::close, "context-close");
            closer.start();
            await().atMost(WAIT).until(() -> ebb.phase() == Phase.DEREGISTERING);
            ebb.expedite();
            await().atMost(WAIT).until(() -> ebb.phase() == Phase.DRAINING);
            ebb.expedite();
            ShutdownReport report = ebb.stopped().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(report.requestsAborted()).isEqualTo(1);
            assertThat(inFlight.closedByServerWithin(WAIT)).as("the aborted request's connection").isTrue();

            // The server may still count the aborted async request as active; Boot's graceful shutdown (its phase
            // timeout was the 120s drain timeout) must not wait on it.
            closer.join(WAIT.toMillis());
            assertThat(closer.isAlive()).as("the context closed soon after Ebb stopped the server").isFalse();
        }
    }

    @Test
    void healthChecksOnTheApplicationsPortAreNotCountedAsTheLoadBalancersTraffic() throws Exception {
        ConfigurableApplicationContext context = start("20s");
        int port = port(context);
        EbbCore ebb = context.getBean(EbbCore.class);
        CompletableFuture<ShutdownReport> stopped = ebb.shutdown();
        await().atMost(WAIT).until(() -> get(port, "/ready").status() == 503);
        assertThat(get(port, "/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(ebb.inFlightRequests()).isZero();
        ebb.expedite();
        ShutdownReport report = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.requestsWhileDeregistering()).as("probes are not requests of the load balancer").isZero();
        assertThat(report.lastRequest()).isEmpty();
        context.close();
    }

    @Test
    void withServerShutdownImmediateEbbStillDrainsTheRequestInFlight() throws Exception {
        ConfigurableApplicationContext context = start("0s", "--server.shutdown=immediate");
        EbbCore ebb = context.getBean(EbbCore.class);
        try (RawHttp inFlight = RawHttp.connect(port(context)).send("GET", "/work?hold=true")) {
            CompletableFuture<String> held = TestApplication.HELD.poll(30, TimeUnit.SECONDS);
            assertThat(held).as("the held request reached the application").isNotNull();
            Thread closer = new Thread(context::close, "context-close");
            closer.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> ebb.phase() == Phase.DRAINING);
            assertThat(closer.isAlive()).as("the context waits for the request in flight").isTrue();
            held.complete("done");
            RawHttp.Response drained = inFlight.read();
            assertThat(drained.status()).isEqualTo(200);
            assertThat(drained.body()).isEqualTo("done");
            closer.join(30_000);
            assertThat(closer.isAlive()).isFalse();
        }
        assertThat(ebb.stopped().join().clean()).isTrue();
    }

    @Test
    void onASeparateManagementPortLivenessAnswersThroughoutAndItsConnectionsAreNotTheApplications() throws Exception {
        List<String> args = new ArrayList<>(List.of("--management.server.port=0"));
        args.addAll(TestServers.managementOn(server()));
        ConfigurableApplicationContext context = start("20s", args.toArray(String[]::new));
        EbbCore ebb = context.getBean(EbbCore.class);
        int management = Integer.parseInt(context.getEnvironment().getProperty("local.management.port"));
        String liveness = "/actuator/health/liveness";
        try (RawHttp kept = RawHttp.connect(management);
                RawHttp inFlight = RawHttp.connect(port(context)).send("GET", "/work?hold=true")) {
            assertThat(kept.get(liveness).status()).isEqualTo(200);
            CompletableFuture<String> held = TestApplication.HELD.poll(30, TimeUnit.SECONDS);
            assertThat(held).as("the held request reached the application").isNotNull();
            Thread closer = new Thread(context::close, "context-close");
            closer.start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> get(management, "/actuator/health/readiness").status() == 503);
            assertThat(ebb.phase()).isEqualTo(Phase.DEREGISTERING);
            RawHttp.Response deregistering = kept.get(liveness);
            assertThat(deregistering.status()).isEqualTo(200);
            assertThat(deregistering.connectionClose()).as("not one of the application's connections").isFalse();

            ebb.expedite();
            await().atMost(Duration.ofSeconds(30)).until(() -> ebb.phase() == Phase.DRAINING);
            assertThat(get(management, liveness).status()).isEqualTo(200);
            RawHttp.Response draining = kept.get(liveness);
            assertThat(draining.status()).as("the kept-alive management connection is left open").isEqualTo(200);
            assertThat(draining.connectionClose()).isFalse();
            assertThat(ebb.inFlightRequests()).as("management requests are not counted").isEqualTo(1);

            held.complete("done");
            assertThat(inFlight.read().status()).isEqualTo(200);
            closer.join(30_000);
            assertThat(closer.isAlive()).isFalse();
        }
        assertThat(ebb.stopped().join().clean()).isTrue();
    }

    static RawHttp.Response get(int port, String path) throws IOException {
        try (RawHttp c = RawHttp.connect(port)) {
            return c.get(path);
        }
    }
}
