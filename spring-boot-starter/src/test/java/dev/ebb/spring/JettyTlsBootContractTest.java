package dev.ebb.spring;

/** The adapter contract against Jetty under Spring Boot over TLS (ALPN h2 and http/1.1). */
class JettyTlsBootContractTest extends JettyBootContractTest {

    @Override
    protected boolean tls() {
        return true;
    }
}
