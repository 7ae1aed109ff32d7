package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.lang.reflect.Field;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.embedded.undertow.UndertowWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.ConfigurableApplicationContext;
import org.xnio.OptionMap;

/**
 * The starter on Undertow under Spring Boot 3, which it does not drive: readiness, {@code Connection: close}
 * and the keep-alive as on the other servers; Spring Boot's graceful shutdown drains the request in flight
 * (Undertow's listener stays open until Boot stops it).
 */
@ExtendWith(OutputCaptureExtension.class)
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

    /** Not driven: Boot's immediate shutdown would cut the request in flight, which Ebb says at start-up. */
    @Override
    void withServerShutdownImmediateEbbStillDrainsTheRequestInFlight() {
    }

    @Test
    void withServerShutdownImmediateEbbWarnsAtStartupThatBootWouldCutRequestsInFlight(CapturedOutput output) {
        ConfigurableApplicationContext context = start("0s", "--server.shutdown=immediate");
        try {
            assertThat(output).contains("ebb: server.shutdown=immediate: Ebb does not drive", "Fix: set server.shutdown=graceful");
        } finally {
            context.close();
        }
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
