package dev.ebb.spring;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/** Hands the Reactor Netty server that Spring Boot starts to {@link ReactorNettyDriver}, after every other customizer. */
final class ReactorNettyConnections implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

    private final ReactorNettyDriver driver;

    ReactorNettyConnections(ReactorNettyDriver driver) {
        this.driver = driver;
    }

    @Override
    public void customize(NettyReactiveWebServerFactory factory) {
        driver.use();
        factory.addServerCustomizers(driver::track);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
