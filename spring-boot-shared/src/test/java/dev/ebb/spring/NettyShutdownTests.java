package dev.ebb.spring;

import java.time.Duration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.server.WebServer;

class NettyShutdownTests extends AbstractServerShutdownTests {

    @Override
    WebApplicationType type() {
        return WebApplicationType.REACTIVE;
    }

    @Override
    String server() {
        return TestServers.NETTY;
    }

    @Override
    String keepAliveProperty() {
        return "server.netty.idle-timeout";
    }

    @Override
    Duration keepAliveOf(WebServer server) throws ReflectiveOperationException {
        return TestServers.netty(server).configuration().idleTimeout();
    }
}
