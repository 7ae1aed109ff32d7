package dev.ebb.spring;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The adapter contract against a Spring MVC application on Jetty under Spring Boot. One case is skipped,
 * with its reason: Jetty's WebSocket takes every close code but 1000, 1005 and 3000+ as abnormal and closes
 * the connection as soon as its close frame is sent, without waiting for the peer's answer; so a 1001
 * (going away) never leaves a WebSocket open for the drain timeout to abort. Set {@code -Dcontract.gaps=run} to
 * run it anyway.
 */
@ExtendWith(JettyBootContractTest.KnownGaps.class)
class JettyBootContractTest extends AdapterContract {

    /** Actuator answers the probe paths under Spring Boot, in its own format. */
    @Override
    protected boolean ebbAnswersProbes() {
        return false;
    }

    /** Jetty's connection idle timeout in these tests: each request's I/O idle timeout. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

    /** Skips the contract cases Jetty under Boot does not pass yet, saying why. */
    static final class KnownGaps implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod()
                    .filter(m -> System.getProperty("contract.gaps") == null && m.getName().equals("webSocketThatNeverAnswersTheCloseIsAbortedAtTheDrainTimeoutAndCounted"))
                    .map(m -> ConditionEvaluationResult.disabled(
                            "Jetty closes a WebSocket as soon as it has sent 1001 (abnormal to Jetty), without the peer's answer"))
                    .orElse(ConditionEvaluationResult.enabled("contract case"));
        }
    }

    @Override
    protected RunningServer start(EbbConfig config) {
        List<String> args = new ArrayList<>(List.of(
                "--server.jetty.connection-idle-timeout=" + REQUEST_TIMEOUT.toMillis() + "ms",
                "--server.http2.enabled=true",
                "--" + ContractApplication.SERVER + "=jetty"));
        return BootContractSupport.start(config, tls(), TestServers.JETTY, args);
    }

    @Override
    protected Optional<Duration> requestIdleTimeout() {
        return Optional.of(REQUEST_TIMEOUT);
    }
}
