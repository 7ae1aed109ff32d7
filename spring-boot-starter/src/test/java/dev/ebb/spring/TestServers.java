package dev.ebb.spring;

import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;

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
}
