package dev.ebb.spring;

import dev.ebb.Ebb;
import dev.ebb.ShutdownReport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Ebb's meters: {@code ebb.phase} (0 SERVING, 1 DEREGISTERING, 2 DRAINING, 3 STOPPED),
 * {@code ebb.requests.active}, and once the shutdown is over the figures of its report:
 * {@code ebb.shutdown.requests} by {@code outcome}, {@code ebb.shutdown.connections} by {@code reason}
 * {@code ebb.shutdown.phase.duration} by {@code phase}, and {@code ebb.shutdown.load-balancer.let-go} by
 * {@code arrival} ({@code last-request}, {@code last-connection}).
 */
final class EbbMetrics implements MeterBinder {

    private final Ebb ebb;

    EbbMetrics(Ebb ebb) {
        this.ebb = ebb;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("ebb.phase", ebb, e -> e.phase().ordinal())
                .description("Shutdown phase: 0 SERVING, 1 DEREGISTERING, 2 DRAINING, 3 STOPPED")
                .register(registry);
        Gauge.builder("ebb.requests.active", ebb, Ebb::inFlightRequests)
                .description("Requests in flight")
                .register(registry);
        requests(registry, "served-while-deregistering", ShutdownReport::requestsWhileDeregistering);
        requests(registry, "completed-while-draining", ShutdownReport::requestsCompletedWhileDraining);
        requests(registry, "aborted", ShutdownReport::requestsAborted);
        connections(registry, "connection-close", ShutdownReport::connectionCloseResponses);
        connections(registry, "idle", ShutdownReport::idleConnectionsClosed);
        duration(registry, "deregistering", ShutdownReport::deregistering);
        duration(registry, "draining", ShutdownReport::draining);
        duration(registry, "stopping", ShutdownReport::stopping);
        letGo(registry, "last-request", r -> r.lastRequest().orElse(Duration.ZERO));
        letGo(registry, "last-connection", r -> r.lastConnection().orElse(Duration.ZERO));
    }

    private void requests(MeterRegistry registry, String outcome, ToLongFunction<ShutdownReport> field) {
        FunctionCounter.builder("ebb.shutdown.requests", ebb, report(field::applyAsLong))
                .description("Requests of the shutdown, by outcome (known once it is over)")
                .tag("outcome", outcome)
                .register(registry);
    }

    private void connections(MeterRegistry registry, String reason, ToLongFunction<ShutdownReport> field) {
        FunctionCounter.builder("ebb.shutdown.connections", ebb, report(field::applyAsLong))
                .description("Connections closed by the shutdown, by reason (known once it is over)")
                .tag("reason", reason)
                .register(registry);
    }

    private void duration(MeterRegistry registry, String phase, java.util.function.Function<ShutdownReport, Duration> field) {
        TimeGauge.builder("ebb.shutdown.phase.duration", ebb, TimeUnit.MILLISECONDS,
                        report(r -> field.apply(r).toMillis()))
                .description("Time spent in each shutdown phase (known once it is over)")
                .tag("phase", phase)
                .register(registry);
    }

    private void letGo(MeterRegistry registry, String arrival, java.util.function.Function<ShutdownReport, Duration> field) {
        TimeGauge.builder("ebb.shutdown.load-balancer.let-go", ebb, TimeUnit.MILLISECONDS,
                        report(r -> field.apply(r).toMillis()))
                .description("Time from the start of the shutdown to the last arrival while deregistering, 0 when none"
                        + " (known once it is over)")
                .tag("arrival", arrival)
                .register(registry);
    }

        private static ToDoubleFunction<Ebb> report(ToDoubleFunction<ShutdownReport> field) {
        return e -> {
            ShutdownReport report = e.stopped().getNow(null);
            return report == null ? 0 : field.applyAsDouble(report);
        };
    }
}
