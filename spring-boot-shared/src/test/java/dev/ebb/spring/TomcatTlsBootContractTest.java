package dev.ebb.spring;

/** The adapter contract against Tomcat under Spring Boot over TLS (ALPN h2 and http/1.1). */
class TomcatTlsBootContractTest extends TomcatBootContractTest {

    @Override
    protected boolean tls() {
        return true;
    }
}
