package dev.ebb.spring;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The adapter contract against a Spring MVC application on Tomcat under Spring Boot. */
class TomcatBootContractTest extends AdapterContract {

    /** Actuator answers the probe paths under Spring Boot, in its own format. */
    @Override
    protected boolean ebbAnswersProbes() {
        return false;
    }

    /** The starter has no accept hook in Tomcat: the report under Tomcat gives the last request only. */
    @Override
    protected boolean reportsNewConnections() {
        return false;
    }

    /** Tomcat's request read timeout (connection timeout) in these tests. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

    @Override
    protected RunningServer start(EbbConfig config) {
        List<String> args = new ArrayList<>(List.of(
                "--server.tomcat.connection-timeout=" + REQUEST_TIMEOUT.toMillis() + "ms",
                "--server.http2.enabled=true",
                "--" + ContractApplication.SERVER + "=tomcat"));
        return BootContractSupport.start(config, tls(), TestServers.TOMCAT, args);
    }

    @Override
    protected Optional<Duration> requestIdleTimeout() {
        return Optional.of(REQUEST_TIMEOUT);
    }
}
