package dev.ebb.jetty;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The adapter contract against Jetty serving a plain core handler. */
class JettyContractTest extends AdapterContract {

    @Override
    protected RunningServer start(EbbConfig config) throws Exception {
        return JettyContractTest.startJetty(new WorkHandler(), config);
    }

    static RunningServer startJetty(Handler app, EbbConfig config) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(app);
        Ebb ebb = EbbJetty.install(server, config);
        server.start();
        return RunningServer.of(connector.getLocalPort(), ebb, server::stop);
    }
}
