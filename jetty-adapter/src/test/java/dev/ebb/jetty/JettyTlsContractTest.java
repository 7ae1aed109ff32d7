package dev.ebb.jetty;

/** The adapter contract against Jetty serving a core handler over TLS (ALPN h2 and http/1.1). */
class JettyTlsContractTest extends JettyContractTest {

    @Override
    protected boolean tls() {
        return true;
    }
}
