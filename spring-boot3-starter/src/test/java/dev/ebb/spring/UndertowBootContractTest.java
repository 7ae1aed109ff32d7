package dev.ebb.spring;

import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The adapter contract against a Spring MVC application on Undertow under Spring Boot 3. The starter does not
 * drive Undertow: Spring Boot's graceful shutdown stops it after Ebb's deregistration delay. The cases that
 * need Ebb's hands on the server are skipped, with the reason, and so is one Undertow fails on its own: closing a
 * connection with pipelined requests still unread, Undertow resets it, which may discard the response to the
 * request it answered before the client reads it. Set {@code -Dcontract.gaps=run} to run them anyway.
 */
@ExtendWith(UndertowBootContractTest.NotDriven.class)
class UndertowBootContractTest extends AdapterContract {

    /** The cases that need the starter to drive the server. */
    static final Set<String> NEED_DRIVING = Set.of(
            // Undertow resets a connection closed with pipelined requests unread: the first response may be lost.
            "pipelinedRequestsWhileDeregisteringAreAnsweredOrLeftUnansweredNeverFailed",
            // Ebb does not close Undertow's listener: Boot stops the server after its graceful shutdown.
            "stoppedServerRefusesConnections",
            "drainingRefusesConnectsClosesIdleConnectionsAndCompletesInFlightRequests",
            // No GOAWAY: Boot stops Undertow with its HTTP/2 connections open.
            "http2StreamsSurviveTheGoAwaysAndNoneIsReset");

    /** Actuator answers the probe paths under Spring Boot, in its own format. */
    @Override
    protected boolean ebbAnswersProbes() {
        return false;
    }

    /** The starter has no hook on Undertow's accepted connections: the report gives the last request only. */
    @Override
    protected boolean reportsNewConnections() {
        return false;
    }

    /** Skips the contract cases that need Ebb to drive Undertow, saying why. */
    static final class NotDriven implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod()
                    .filter(m -> System.getProperty("contract.gaps") == null && NEED_DRIVING.contains(m.getName()))
                    .map(m -> ConditionEvaluationResult.disabled(
                            "the starter does not drive Undertow (Spring Boot's graceful shutdown drains it), or Undertow"
                                    + " resets a connection closed with pipelined requests unread"))
                    .orElse(ConditionEvaluationResult.enabled("contract case"));
        }
    }

    @Override
    protected RunningServer start(EbbConfig config) {
        return BootContractSupport.start(config, tls(), TestServers.UNDERTOW,
                List.of("--" + ContractApplication.SERVER + "=undertow"));
    }
}
