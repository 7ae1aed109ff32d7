package dev.ebb.spring;

/** The adapter contract against WebFlux on Reactor Netty over TLS (Boot's {@code server.ssl.*}; ALPN h2 and http/1.1). */
class ReactorNettyTlsContractTests extends ReactorNettyContractTests {

    @Override
    protected boolean tls() {
        return true;
    }
}
