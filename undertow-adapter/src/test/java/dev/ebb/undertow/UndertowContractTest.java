package dev.ebb.undertow;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import dev.ebb.contract.TestTls;
import io.undertow.UndertowOptions;

/** The adapter contract against a real Undertow on 127.0.0.1, over cleartext (h2c with prior knowledge). */
class UndertowContractTest extends AdapterContract {

    @Override
    protected RunningServer start(EbbConfig config) throws Exception {
        TestApp app = new TestApp(true);
        EbbUndertow.Builder builder = EbbUndertow.builder(config);
        if (tls()) {
            builder.addHttpsListener(0, "127.0.0.1", TestTls.serverContext());
        } else {
            builder.addHttpListener(0, "127.0.0.1");
        }
        EbbUndertow server = builder
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                .setIoThreads(2)
                .setWorkerThreads(4)
                .setHandler(app.handler())
                .start();
        app.attach(server.ebb());
        // close() has nothing left to do: Ebb stopped the Undertow server, worker included.
        return RunningServer.of(server.port(), server.ebb(), tls(), () -> { });
    }
}
