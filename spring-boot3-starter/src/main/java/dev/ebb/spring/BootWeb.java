package dev.ebb.spring;

import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.ApplicationContext;

/** What the shared code of the starters needs from Spring Boot 3 where Spring Boot 4 has it elsewhere. */
final class BootWeb {

    /** The lifecycle phase of Spring Boot's graceful shutdown of the web server. */
    static final int GRACEFUL_SHUTDOWN_PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE;

    /** Boot's Tomcat, Jetty and Reactor Netty factory types, by name (conditions of the shared configurations). */
    static final String TOMCAT_FACTORY = "org.springframework.boot.web.embedded.tomcat.ConfigurableTomcatWebServerFactory";
    static final String JETTY_FACTORY = "org.springframework.boot.web.embedded.jetty.ConfigurableJettyWebServerFactory";
    static final String NETTY_FACTORY = "org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory";

    private BootWeb() {
    }

    /** The web server of {@code context}, or {@code null} when it has none. */
    static WebServer webServer(ApplicationContext context) {
        return context instanceof WebServerApplicationContext web ? web.getWebServer() : null;
    }
}
