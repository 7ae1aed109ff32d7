package dev.ebb.spring;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.lang.reflect.Field;
import java.time.Duration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.embedded.undertow.UndertowWebServer;
import org.springframework.boot.web.server.WebServer;
import org.xnio.OptionMap;

/**
 * The starter on Undertow under Spring Boot 3, which it does not drive: readiness, {@code Connection: close}
 * and the keep-alive as on the other servers; Ebb drains the request in flight (Undertow's listener stays open until
 * Boot stops it, after Ebb's drain).
 */
class UndertowShutdownTests extends AbstractServerShutdownTests {

    @Override
    WebApplicationType type() {
        return WebApplicationType.SERVLET;
    }

    @Override
    String server() {
        return TestServers.UNDERTOW;
    }

    @Override
    boolean starterDrivesServer() {
        return false;
    }

    @Override
    String keepAliveProperty() {
        return "server.undertow.no-request-timeout";
    }

    @Override
    Duration keepAliveOf(WebServer server) throws ReflectiveOperationException {
        // Undertow does not expose its server options once built.
        Undertow undertow = ((UndertowWebServer) server).getUndertow();
        Field field = Undertow.class.getDeclaredField("serverOptions");
        field.setAccessible(true);
        return Duration.ofMillis(((OptionMap) field.get(undertow)).get(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000));
    }
}
