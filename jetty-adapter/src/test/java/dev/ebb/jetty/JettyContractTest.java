package dev.ebb.jetty;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The adapter contract against Jetty serving a core handler, with Jetty's WebSocket server on {@code /ws},
 * HTTP/1.1 and h2c on one port.
 */
class JettyContractTest extends AdapterContract {

    @Override
    protected RunningServer start(EbbConfig config) throws Exception {
        ContractApp app = new ContractApp();
        return TestServers.start(server -> {
            WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> container.addMapping("/ws",
                    (request, response, callback) -> EchoSocket.of(Request.extractQueryParameters(request).getValues("push"))));
            ws.setHandler(app);
            return ws;
        }, config, tls(), app::drain);
    }

    @Override
    protected Optional<Duration> requestIdleTimeout() {
        return Optional.of(TestServers.REQUEST_IDLE_TIMEOUT);
    }
}
