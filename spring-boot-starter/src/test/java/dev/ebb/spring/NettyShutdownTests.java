package dev.ebb.spring;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.boot.web.server.WebServer;
import reactor.netty.http.server.HttpServer;

class NettyShutdownTests extends AbstractServerShutdownTests {

    @Override
    WebApplicationType type() {
        return WebApplicationType.REACTIVE;
    }

    @Override
    List<String> otherServers() {
        return List.of("org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration",
                "org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration");
    }

    @Override
    String keepAliveProperty() {
        return "server.netty.idle-timeout";
    }

    @Override
    List<String> otherManagementServers() {
        return List.of("org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration",
                "org.springframework.boot.jetty.autoconfigure.actuate.web.server.JettyReactiveManagementContextAutoConfiguration");
    }

    @Override
    Duration keepAliveOf(WebServer server) throws Exception {
        // NettyWebServer does not expose its HttpServer.
        Field field = NettyWebServer.class.getDeclaredField("httpServer");
        field.setAccessible(true);
        return ((HttpServer) field.get(server)).configuration().idleTimeout();
    }
}
