package dev.ebb.netty;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;

/** The adapter contract over cleartext (HTTP/1.1, and h2c with prior knowledge on the same port) against a real Netty server. */
class NettyContractTest extends AdapterContract {

    @Override
    protected RunningServer start(EbbConfig config) throws Exception {
        return TestServer.start(config);
    }
}
