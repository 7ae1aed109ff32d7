package dev.ebb.spring;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import java.util.ArrayList;
import java.util.List;

/** The adapter contract against a Spring MVC application on Jetty under Spring Boot. */
class JettyBootContractTest extends AdapterContract {

    @Override
    protected RunningServer start(EbbConfig config) {
        List<String> args = new ArrayList<>(List.of(
                "--spring.autoconfigure.exclude="
                        + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
                "--server.http2.enabled=true",
                "--" + ContractApplication.SERVER + "=jetty"));
        args.addAll(tlsArgs());
        return BootContractSupport.start(config, tls(), args);
    }

    /** The {@code server.ssl.*} arguments of a TLS subclass. */
    List<String> tlsArgs() {
        return List.of();
    }
}
