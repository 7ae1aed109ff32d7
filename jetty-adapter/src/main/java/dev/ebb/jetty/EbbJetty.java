package dev.ebb.jetty;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.spi.EbbCore;
import java.util.Objects;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Installs Ebb on a Jetty 12.1 {@link Server}: call {@link #install(Server, EbbConfig)} once the
 * connectors and the handler are set, before {@code server.start()}.
 *
 * <pre>{@code
 * Server server = new Server();
 * server.addConnector(new ServerConnector(server));
 * server.setHandler(app);                      // a core Handler or an ee10/ee11 ServletContextHandler
 * Ebb ebb = EbbJetty.install(server, EbbConfig.fromSystem());
 * server.start();
 * }</pre>
 *
 * <p>The handler tree is wrapped in a handler that answers the readiness and liveness paths, counts
 * requests until Jetty completes them, and adds {@code Connection: close} (HTTP/2: a graceful GOAWAY)
 * while Ebb is shutting down. The connectors' idle timeout is set for the load balancer in front.
 *
 * <p>With Ebb enabled, Ebb stops the server: {@link Server#setStopAtShutdown(boolean)} is turned off so
 * Jetty's own JVM shutdown hook cannot stop the server under the drain. With {@code ebb.enabled=false}
 * only the probe paths are added (always 200 while the server runs); nothing else changes.
 * Thread-safe; the returned {@link Ebb} is the server's shutdown handle.
 */
public final class EbbJetty {

    private EbbJetty() {
    }

    /**
     * Wraps {@code server}'s handler and takes over its shutdown as {@code config} says.
     *
     * @throws IllegalStateException when the server is already started
     * @throws dev.ebb.EbbConfigException when the connectors' idle timeout contradicts the configuration
     */
    public static Ebb install(Server server, EbbConfig config) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(config, "config");
        if (!server.isStopped()) {
            throw new IllegalStateException("EbbJetty.install must be called before server.start()");
        }
        JettyServerAdapter adapter = new JettyServerAdapter(server);
        EbbCore core = EbbCore.create(config, adapter);
        EbbHandler handler = new EbbHandler(server.getHandler(), core);
        adapter.track(handler);
        server.setHandler(handler);
        core.applyKeepAlive();
        server.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                if (config.enabled()) {
                    server.setStopAtShutdown(false); // also when set after install: checked as the server starts
                }
            }

            @Override
            public void lifeCycleStarted(LifeCycle event) {
                core.started();
            }
        });
        return core;
    }
}
