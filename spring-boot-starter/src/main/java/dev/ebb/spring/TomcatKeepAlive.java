package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import java.time.Duration;
import java.util.Optional;
import org.apache.catalina.util.ServerInfo;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ProtocolHandler;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.env.Environment;

/**
 * Sets Tomcat's keep-alive timeout above the load balancer's idle timeout, unless the application set
 * {@code server.tomcat.keep-alive-timeout} itself (then Ebb's idle-timeout policy checks it).
 */
final class TomcatKeepAlive implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> {

    /** Tomcat's keep-alive timeout when neither it nor the connection timeout is set. */
    private static final Duration TOMCAT_DEFAULT = Duration.ofSeconds(60);

    private final EbbCore core;
    private final BootServerAdapter adapter;
    private final Environment environment;

    TomcatKeepAlive(EbbCore core, BootServerAdapter adapter, Environment environment) {
        this.core = core;
        this.adapter = adapter;
        this.environment = environment;
    }

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        Optional<Duration> explicit = BootServerAdapter.property(environment, "server.tomcat.keep-alive-timeout");
        KeepAlive current = explicit.map(KeepAlive::explicit).orElseGet(() -> KeepAlive.serverDefault(
                BootServerAdapter.property(environment, "server.tomcat.connection-timeout").orElse(TOMCAT_DEFAULT)));
        String info = ServerInfo.getServerInfo(); // e.g. Apache Tomcat/11.0.24
        adapter.use("Tomcat " + info.substring(info.indexOf('/') + 1), current);
        core.applyKeepAlive().ifPresent(timeout -> factory.addProtocolHandlerCustomizers(
                (TomcatProtocolHandlerCustomizer<ProtocolHandler>) handler -> {
                    if (handler instanceof AbstractProtocol<?> protocol) {
                        protocol.setKeepAliveTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                    }
                }));
    }
}
