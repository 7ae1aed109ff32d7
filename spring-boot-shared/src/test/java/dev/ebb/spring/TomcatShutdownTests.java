package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ebb.Phase;
import dev.ebb.contract.RawHttp;
import dev.ebb.spi.EbbCore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.apache.coyote.AbstractProtocol;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.server.WebServer;

class TomcatShutdownTests extends AbstractServerShutdownTests {

    @Override
    WebApplicationType type() {
        return WebApplicationType.SERVLET;
    }

    @Override
    String server() {
        return TestServers.TOMCAT;
    }

    @Override
    String keepAliveProperty() {
        return "server.tomcat.keep-alive-timeout";
    }

    @Override
    Duration keepAliveOf(WebServer server) {
        AbstractProtocol<?> protocol = (AbstractProtocol<?>) TestServers.tomcat(server).getConnector().getProtocolHandler();
        return Duration.ofMillis(protocol.getKeepAliveTimeout());
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
        args.addAll(TestServers.managementOn(TestServers.TOMCAT));
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
}
