package dev.ebb.undertow;

/** The adapter contract over TLS: an HTTPS listener with ALPN h2 and http/1.1. */
class UndertowTlsContractTest extends UndertowContractTest {

    @Override
    protected boolean tls() {
        return true;
    }
}
