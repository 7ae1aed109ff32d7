package dev.ebb.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.EbbConfigException;
import dev.ebb.IdleTimeoutPolicy;
import dev.ebb.LoadBalancer;
import dev.ebb.Phase;
import dev.ebb.contract.RawHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link EbbJetty#install} does to a Jetty server besides the contract. */
class EbbJettyTest {

    private final List<Server> servers = new ArrayList<>();

    @AfterEach
    void stopServers() throws Exception {
        for (Server s : servers) {
            s.stop();
        }
    }

    private static EbbConfig.Builder config() {
        return EbbConfig.builder().kubernetes(false).handleSignals(false).deregistrationDelay(Duration.ofSeconds(60))
                .drainTimeout(Duration.ofSeconds(20)).terminationGracePeriod(Duration.ofSeconds(120));
    }

    private Server server(int connectors) {
        Server server = new Server();
        for (int i = 0; i < connectors; i++) {
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
        }
        server.setHandler(new WorkHandler());
        servers.add(server);
        return server;
    }

    private static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Test
    void requestsThatAreNotHandledOrThrowAreStillCountedAsFinished() throws Exception {
        Server server = server(1);
        Ebb ebb = EbbJetty.install(server, config().build());
        server.start();
        try (RawHttp c = RawHttp.connect(port(server))) {
            assertThat(c.get("/nothing-here").status()).isEqualTo(404);
            assertThat(c.get("/boom").status()).isEqualTo(500);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ebb.inFlightRequests() == 0);
    }

    @Test
    void connectorsKeepTheirIdleTimeoutWhileIdleConnectionsGetTheKeepAlive() throws Exception {
        Server server = server(2);
        Duration lb = Duration.ofSeconds(2);
        EbbJetty.install(server, config().loadBalancerIdleTimeout(lb).build());
        ((ServerConnector) server.getConnectors()[0]).setIdleTimeout(1_000);
        server.start();
        assertThat(server.getConnectors()[1].getIdleTimeout()).as("connector left alone").isEqualTo(30_000);
        try (RawHttp c = RawHttp.connect(port(server))) {
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200);
            assertThat(c.closedByServerWithin(lb.plusMillis(500))).as("idle connection kept past the load balancer's timeout")
                    .isFalse();
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200);
        }
    }

    @Test
    void behindAPassThroughLoadBalancerConnectorsCloseIdleConnectionsBeforeItsFlowTimeout() throws Exception {
        Server server = server(1);
        ((ServerConnector) server.getConnectors()[0]).setIdleTimeout(3_000);
        Ebb ebb = EbbJetty.install(server, config().loadBalancer(LoadBalancer.AWS_NLB)
                .loadBalancerIdleTimeout(Duration.ofSeconds(2)).build());
        server.start();
        long keepAlive = ebb.config().keepAliveTimeout().orElseThrow().toMillis();
        assertThat(keepAlive).isLessThan(2_000);
        assertThat(server.getConnectors()[0].getIdleTimeout()).as("lowered below the flow timeout").isEqualTo(keepAlive);
        try (RawHttp fresh = RawHttp.connect(port(server)); RawHttp used = RawHttp.connect(port(server))) {
            assertThat(used.get("/work?ms=1").status()).isEqualTo(200);
            assertThat(fresh.closedByServerWithin(Duration.ofSeconds(20))).as("a connection that never sent a request").isTrue();
            assertThat(used.closedByServerWithin(Duration.ofSeconds(20))).as("an idle keep-alive connection").isTrue();
        }
    }

    @Test
    void stalledBodyOnAKeepAliveConnectionIsTimedOutByTheConnectorNotTheKeepAlive() throws Exception {
        Server server = server(1);
        ((ServerConnector) server.getConnectors()[0]).setIdleTimeout(1_000);
        EbbJetty.install(server, config().loadBalancerIdleTimeout(Duration.ofSeconds(120)).build());
        server.start();
        try (RawHttp c = RawHttp.connect(port(server))) {
            assertThat(c.get("/work?ms=1").status()).isEqualTo(200); // the connection now waits with the keep-alive
            c.write("POST /work HTTP/1.1\r\nHost: " + c.host() + "\r\nContent-Length: 10\r\n\r\nebb");
            // The keep-alive is 126 s; the connector's 1 s must cut the stalled body, well within this bound.
            assertThat(c.answersOrClosesWithin(Duration.ofSeconds(20))).as("stalled body timed out").isTrue();
        }
    }

    @Test
    void requestParsedButNotYetHandledKeepsItsConnectionOpenAtDraining() throws Exception {
        Server server = server(1);
        Ebb ebb = EbbJetty.install(server, config().build());
        CountDownLatch dispatched = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Stands for the time between Jetty parsing a request and Ebb's handler seeing it (a busy thread pool).
        server.setHandler(new Handler.Wrapper(server.getHandler()) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (Request.getPathInContext(request).equals("/late")) {
                    dispatched.countDown();
                    if (!release.await(20, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("never released");
                    }
                }
                return super.handle(request, response, callback);
            }
        });
        server.start();
        int port = port(server);
        try (RawHttp busy = RawHttp.connect(port); RawHttp late = RawHttp.connect(port); RawHttp idle = RawHttp.connect(port)) {
            assertThat(idle.get("/work?ms=1").status()).isEqualTo(200);
            busy.send("GET", "/work?ms=3000");
            await().atMost(Duration.ofSeconds(10)).until(() -> ebb.inFlightRequests() == 1);
            late.send("GET", "/late");
            assertThat(dispatched.await(10, TimeUnit.SECONDS)).isTrue();

            ebb.shutdown();
            ebb.expedite();
            assertThat(idle.closedByServerWithin(Duration.ofSeconds(10))).as("idle connections closed").isTrue();
            release.countDown();
            assertThat(late.read().status()).as("the parsed request is answered").isEqualTo(404);
            assertThat(busy.read().status()).isEqualTo(200);
        }
    }

    @Test
    void idleTimeoutSetByTheApplicationBelowTheLoadBalancersStillStartsAndKeepsTheConnector() throws Exception {
        Server server = server(1);
        ((ServerConnector) server.getConnectors()[0]).setIdleTimeout(20_000);
        Ebb ebb = EbbJetty.install(server, config().loadBalancerIdleTimeout(Duration.ofSeconds(60)).build());
        server.start();
        assertThat(server.getConnectors()[0].getIdleTimeout()).isEqualTo(20_000);
        assertThat(ebb.config().keepAliveTimeout()).hasValue(Duration.ofSeconds(66));
    }

    @Test
    void idleTimeoutBelowTheLoadBalancersFailsTheInstallUnderPolicyFail() {
        Server server = server(1);
        ((ServerConnector) server.getConnectors()[0]).setIdleTimeout(20_000);
        assertThatThrownBy(() -> EbbJetty.install(server, config().loadBalancerIdleTimeout(Duration.ofSeconds(60))
                .idleTimeoutPolicy(IdleTimeoutPolicy.FAIL).build()))
                .isInstanceOf(EbbConfigException.class).hasMessageContaining("20s").hasMessageContaining("60s");
    }

    @Test
    void jettysOwnShutdownHookStaysAsSetWhenEbbDoesNotTakeTheSignals() throws Exception {
        Server server = server(1);
        EbbJetty.install(server, config().handleSignals(false).build());
        server.setStopAtShutdown(true);
        server.start();
        assertThat(server.getStopAtShutdown()).isTrue();
    }

    @Test
    void connectorWithoutAcceptorThreadsRefusesConnectsWhileDraining() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, 0, 1);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new WorkHandler());
        servers.add(server);
        Ebb ebb = EbbJetty.install(server, config().build());
        server.start();
        int port = connector.getLocalPort();
        try (RawHttp busy = RawHttp.connect(port)) {
            busy.send("GET", "/work?ms=3000");
            await().atMost(Duration.ofSeconds(10)).until(() -> ebb.inFlightRequests() == 1);
            ebb.shutdown();
            ebb.expedite();
            await().atMost(Duration.ofSeconds(10)).until(() -> RawHttp.refuses(port));
            assertThat(ebb.phase()).isEqualTo(Phase.DRAINING);
            assertThat(busy.read().status()).isEqualTo(200);
        }
    }

    @Test
    void disabledEbbOnlyAddsTheProbes() throws Exception {
        Server server = server(1);
        server.setStopAtShutdown(true);
        Ebb ebb = EbbJetty.install(server, config().enabled(false).loadBalancerIdleTimeout(Duration.ofSeconds(60)).build());
        server.start();
        assertThat(server.getStopAtShutdown()).isTrue();
        assertThat(server.getConnectors()[0].getIdleTimeout()).isEqualTo(30_000);
        try (RawHttp c = RawHttp.connect(port(server))) {
            assertThat(c.get("/ready").status()).isEqualTo(200);
            assertThat(c.get("/live").status()).isEqualTo(200);
            RawHttp.Response work = c.get("/work?ms=1");
            assertThat(work.status()).isEqualTo(200);
            assertThat(work.connectionClose()).isFalse();
        }
        assertThat(ebb.inFlightRequests()).isZero();
        ebb.shutdown().get();
        assertThat(server.isStopped()).isTrue();
    }

    @Test
    void installingOnAStartedServerIsRefused() throws Exception {
        Server server = server(1);
        server.start();
        assertThatThrownBy(() -> EbbJetty.install(server, config().build()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("before server.start()");
    }
}
