package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.env.Environment;

/**
 * Gives Reactor Netty, which keeps idle connections forever by default, an idle timeout above the load
 * balancer's, unless the application set {@code server.netty.idle-timeout} itself (then Ebb's
 * idle-timeout policy checks it). Reactor Netty applies it only between requests.
 */
final class NettyKeepAlive implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory> {

    private final EbbCore core;
    private final BootServerAdapter adapter;
    private final Environment environment;

    NettyKeepAlive(EbbCore core, BootServerAdapter adapter, Environment environment) {
        this.core = core;
        this.adapter = adapter;
        this.environment = environment;
    }

    @Override
    public void customize(NettyReactiveWebServerFactory factory) {
        Optional<Duration> explicit = BootServerAdapter.property(environment, "server.netty.idle-timeout");
        adapter.use("Reactor Netty", explicit.map(KeepAlive::explicit).orElseGet(KeepAlive::none));
        core.applyKeepAlive().ifPresent(timeout -> factory.addServerCustomizers(server -> server.idleTimeout(timeout)));
    }
}
