package dev.ebb.jetty;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.spi.EbbCore;
import java.util.Objects;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Installs Ebb on a Jetty 12.1 or 12.0 {@link Server}: call {@link #install(Server, EbbConfig)} once the
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
 * while Ebb is shutting down; it also listens to every connection of the server's connectors, to follow
 * connections upgraded by a 101 (WebSockets), which are never idle and are told 1001 (going away) when
 * draining begins.
 *
 * <p><b>Idle timeouts.</b> Jetty's connector idle timeout is one value for two things: no I/O during a
 * request (a stalled body, a slow client) and the wait for the next request on a keep-alive connection.
 * Ebb leaves the connectors' value alone, so it stays the request I/O timeout the application set (or
 * Jetty's 30 s), and applies its keep-alive for the load balancer in front only while a connection has no
 * request in progress: raised when the last request on it completes, back to the connector's value when
 * an HTTP/1 request starts on it (Jetty then reschedules its idle check, as for its own per-request
 * {@code HttpConfiguration} idle timeout). HTTP/2 streams keep their own idle timeout, taken from the
 * connector's; the session waits Ebb's keep-alive once its streams are done. A connection that has not yet
 * completed a request, and an upgraded one, keeps the timeout Jetty gives it. The keep-alive applied is
 * the longer of Ebb's and the connector's, so an application's timeout below the load balancer's never stops
 * Ebb from starting, and a longer one is never shortened.
 *
 * <p>With Ebb enabled and taking the signals ({@code ebb.handle-signals}), Ebb stops the server:
 * {@link Server#setStopAtShutdown(boolean)} is turned off so Jetty's own JVM shutdown hook cannot stop the
 * server under the drain; without signals it stays as the application set it. With
 * {@code ebb.enabled=false} only the probe paths are added (always 200 while the server runs); nothing else
 * changes.
 * Thread-safe; the returned {@link Ebb} is the server's shutdown handle.
 */
public final class EbbJetty {

    private EbbJetty() {
    }

    /**
     * Wraps {@code server}'s handler and takes over its shutdown as {@code config} says.
     *
     * @throws IllegalStateException when the server is already started
     * @throws dev.ebb.EbbConfigException under {@code ebb.idle-timeout-policy=fail} when the connectors' idle timeout
     *         is not above the load balancer's
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
                    for (Connector connector : server.getConnectors()) {
                        if (!connector.getEventListeners().contains(handler)) {
                            connector.addEventListener(handler); // Jetty adds it to every connection the connector makes
                        }
                    }
                }
                if (config.enabled() && config.handleSignals()) {
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
