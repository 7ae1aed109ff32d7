package dev.ebb.netty;

import dev.ebb.EbbConfig;

/** The adapter contract over TLS, HTTP/1.1 or HTTP/2 as ALPN chooses, against a real Netty server. */
class NettyTlsContractTest extends NettyContractTest {

    @Override
    protected boolean tls() {
        return true;
    }

    @Override
    protected RunningServer start(EbbConfig config) throws Exception {
        return TestServer.tls(config);
    }
}
