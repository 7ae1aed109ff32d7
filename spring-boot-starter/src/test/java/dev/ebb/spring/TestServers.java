package dev.ebb.spring;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Server;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;
import reactor.netty.http.server.HttpServer;

/**
 * Picks the server a test application runs on among those on the test class path: under Spring Boot 4 by
 * excluding the auto-configurations of the others.
 */
final class TestServers {

    static final String TOMCAT = "tomcat";
    static final String JETTY = "jetty";
    static final String NETTY = "netty";

    private static final Map<String, String> SERVLET = Map.of(
            TOMCAT, "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
            JETTY, "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration");
    private static final Map<String, String> REACTIVE = Map.of(
            TOMCAT, "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration",
            JETTY, "org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration",
            NETTY, "org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration");

    private TestServers() {
    }

    /** Makes {@code application} run on {@code server}; the arguments to pass it. */
    static List<String> use(SpringApplication application, WebApplicationType type, String server) {
        Map<String, String> all = type == WebApplicationType.REACTIVE ? REACTIVE : SERVLET;
        List<String> others = all.entrySet().stream().filter(e -> !e.getKey().equals(server)).map(Map.Entry::getValue)
                .sorted().toList();
        return List.of("--spring.autoconfigure.exclude=" + String.join(",", others));
    }

    /** The arguments that put the management server of an application on {@code server} on the same server. */
    static List<String> managementOn(String server) {
        // The management child context would take the first server on the class path otherwise.
        String others = switch (server) {
            case TOMCAT -> "org.springframework.boot.jetty.autoconfigure.actuate.web.server.JettyServletManagementContextAutoConfiguration";
            case JETTY -> "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatServletManagementContextAutoConfiguration";
            default -> "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration,"
                    + "org.springframework.boot.jetty.autoconfigure.actuate.web.server.JettyReactiveManagementContextAutoConfiguration";
        };
        return List.of("--spring.autoconfigure.exclude=" + others);
    }

    static Tomcat tomcat(WebServer server) {
        return ((TomcatWebServer) server).getTomcat();
    }

    static Server jetty(WebServer server) {
        return ((JettyWebServer) server).getServer();
    }

    /** The Reactor Netty server of {@code server}, which Boot's {@code NettyWebServer} does not expose. */
    static HttpServer netty(WebServer server) throws ReflectiveOperationException {
        Field field = NettyWebServer.class.getDeclaredField("httpServer");
        field.setAccessible(true);
        return (HttpServer) field.get(server);
    }
}
