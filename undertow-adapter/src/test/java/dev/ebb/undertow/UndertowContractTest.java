package dev.ebb.undertow;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;

/** The adapter contract against a real Undertow on 127.0.0.1. */
class UndertowContractTest extends AdapterContract {

    @Override
    protected RunningServer start(EbbConfig config) throws Exception {
        EbbUndertow server = EbbUndertow.builder(config)
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(2)
                .setWorkerThreads(4)
                .setHandler(new WorkHandler())
                .start();
        // close() has nothing left to do: Ebb stopped the Undertow server, worker included.
        return RunningServer.of(server.port(), server.ebb(), () -> { });
    }
}
