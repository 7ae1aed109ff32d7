package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.env.Environment;

/** Sets Reactor Netty's idle timeout as {@link ReactorNettyDriver#keepAlive} says. */
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
        ReactorNettyDriver.keepAlive(core, adapter, environment)
                .ifPresent(timeout -> factory.addServerCustomizers(server -> server.idleTimeout(timeout)));
    }
}
