package dev.ebb.jetty;

/** The adapter contract against Jetty serving an ee11 servlet context over TLS (ALPN h2 and http/1.1). */
class JettyServletTlsContractTest extends JettyServletContractTest {

    @Override
    protected boolean tls() {
        return true;
    }
}
