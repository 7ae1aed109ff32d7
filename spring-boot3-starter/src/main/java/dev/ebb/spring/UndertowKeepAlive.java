package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import io.undertow.UndertowOptions;
import io.undertow.Version;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.web.embedded.undertow.ConfigurableUndertowWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.env.Environment;

/**
 * Sets Undertow's keep-alive timeout ({@link UndertowOptions#NO_REQUEST_TIMEOUT}, 60 s by default) above the
 * load balancer's idle timeout, unless the application set {@code server.undertow.no-request-timeout} itself
 * (then Ebb's idle-timeout policy checks it). The starter does not drive Undertow: Spring Boot's graceful
 * shutdown stops it accepting requests and drains it after Ebb's deregistration delay, with
 * {@code Connection: close} on every response from the start of the shutdown.
 */
final class UndertowKeepAlive implements WebServerFactoryCustomizer<ConfigurableUndertowWebServerFactory> {

    /** Undertow's keep-alive timeout when the application sets none. */
    private static final Duration UNDERTOW_DEFAULT = Duration.ofSeconds(60);

    private final EbbCore core;
    private final BootServerAdapter adapter;
    private final Environment environment;

    UndertowKeepAlive(EbbCore core, BootServerAdapter adapter, Environment environment) {
        this.core = core;
        this.adapter = adapter;
        this.environment = environment;
    }

    @Override
    public void customize(ConfigurableUndertowWebServerFactory factory) {
        Optional<Duration> explicit = BootServerAdapter.property(environment, "server.undertow.no-request-timeout");
        adapter.use("Undertow " + Version.getVersionString(),
                explicit.map(KeepAlive::explicit).orElseGet(() -> KeepAlive.serverDefault(UNDERTOW_DEFAULT)));
        core.applyKeepAlive().ifPresent(timeout -> factory.addBuilderCustomizers(builder -> builder.setServerOption(
                UndertowOptions.NO_REQUEST_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))));
    }
}
