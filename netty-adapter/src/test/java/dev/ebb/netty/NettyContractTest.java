package dev.ebb.netty;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;

/** The adapter contract over HTTP/1.1 against a real Netty server. */
class NettyContractTest extends AdapterContract {

    @Override
    protected RunningServer start(EbbConfig config) throws Exception {
        return TestServer.http1(config);
    }
}
