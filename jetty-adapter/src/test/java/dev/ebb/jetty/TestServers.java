package dev.ebb.jetty;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract.RunningServer;
import dev.ebb.contract.TestTls;
import java.time.Duration;
import java.util.function.Function;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Jetty servers for the contract: HTTP/1.1 and HTTP/2 on one port, cleartext (h2c) or TLS (ALPN h2). */
final class TestServers {

    /** The connector idle timeout the test servers set: their request I/O timeout. */
    static final Duration REQUEST_IDLE_TIMEOUT = Duration.ofSeconds(3);

    private TestServers() {
    }

    /** A started server serving {@code app} (made for it) with Ebb installed; {@code onDraining} is the application's {@code Ebb.onDraining} hook. */
    static RunningServer start(Function<Server, Handler> app, EbbConfig config, boolean tls, Runnable onDraining) throws Exception {
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        ServerConnector connector;
        if (tls) {
            http.addCustomizer(new SecureRequestCustomizer(false));
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(TestTls.keyStore().toString());
            ssl.setKeyStoreType("PKCS12");
            ssl.setKeyStorePassword(TestTls.PASSWORD);
            HttpConnectionFactory http1 = new HttpConnectionFactory(http);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol(http1.getProtocol());
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn,
                    new HTTP2ServerConnectionFactory(http), http1);
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(REQUEST_IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);
        server.setHandler(app.apply(server));
        Ebb ebb = EbbJetty.install(server, config);
        ebb.onDraining(onDraining);
        server.start();
        return RunningServer.of(connector.getLocalPort(), ebb, tls, server::stop);
    }
}
