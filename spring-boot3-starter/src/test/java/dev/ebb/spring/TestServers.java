package dev.ebb.spring;

import java.lang.reflect.Field;
import java.util.List;
import java.util.function.Supplier;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Server;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.websocket.servlet.JettyWebSocketServletWebServerCustomizer;
import org.springframework.boot.autoconfigure.websocket.servlet.TomcatWebSocketServletWebServerCustomizer;
import org.springframework.boot.autoconfigure.websocket.servlet.UndertowWebSocketServletWebServerCustomizer;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;
import org.springframework.boot.web.embedded.jetty.JettyWebServer;
import org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.embedded.netty.NettyWebServer;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.embedded.undertow.UndertowServletWebServerFactory;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.support.GenericApplicationContext;
import reactor.netty.http.server.HttpServer;

/**
 * Picks the server a test application runs on among those on the test class path: under Spring Boot 3 by
 * defining its factory, so that Boot's own factories back off (Boot's customizers still apply to it).
 */
final class TestServers {

    static final String TOMCAT = "tomcat";
    static final String JETTY = "jetty";
    static final String UNDERTOW = "undertow";
    static final String NETTY = "netty";

    private TestServers() {
    }

    /** Makes {@code application} run on {@code server}; the arguments to pass it. */
    static List<String> use(SpringApplication application, WebApplicationType type, String server) {
        Supplier<? extends WebServerFactory> factory = switch (server) {
            case TOMCAT -> TomcatServletWebServerFactory::new;
            case JETTY -> JettyServletWebServerFactory::new;
            case UNDERTOW -> UndertowServletWebServerFactory::new;
            case NETTY -> NettyReactiveWebServerFactory::new;
            default -> throw new IllegalArgumentException("no server " + server);
        };
        Supplier<? extends WebServerFactoryCustomizer<?>> webSocket = switch (server) {
            case TOMCAT -> TomcatWebSocketServletWebServerCustomizer::new;
            case JETTY -> JettyWebSocketServletWebServerCustomizer::new;
            case UNDERTOW -> UndertowWebSocketServletWebServerCustomizer::new;
            default -> null;
        };
        application.addInitializers(context -> {
            register((GenericApplicationContext) context, factory);
            if (webSocket != null) {
                // Boot 3 sets up the WebSocket container of one server only, the first on the class path: this one's.
                ((GenericApplicationContext) context).registerBean("websocketServletWebServerCustomizer",
                        WebServerFactoryCustomizer.class, webSocket::get);
            }
        });
        return List.of();
    }

    private static <T extends WebServerFactory> void register(GenericApplicationContext context, Supplier<T> factory) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) factory.get().getClass();
        context.registerBean(type, factory);
    }

    /** The arguments that put the management server of an application on {@code server} on the same server. */
    static List<String> managementOn(String server) {
        // Boot 3's management child context takes the application's server factory.
        return List.of();
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
