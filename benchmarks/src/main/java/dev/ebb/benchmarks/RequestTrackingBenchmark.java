package dev.ebb.benchmarks;

import dev.ebb.EbbConfig;
import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import dev.ebb.spi.ServerAdapter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost Ebb adds to every request: {@code requestStarted()}, {@code closeConnection()} at commit and
 * {@code requestFinished()}, while serving and while deregistering. Run with
 * {@code java -jar benchmarks/target/ebb-benchmarks.jar RequestTracking -prof gc} to see the
 * allocation rate (expected: 0 B/op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestTrackingBenchmark {

    @Param({"SERVING", "DEREGISTERING"})
    public String phase;

    private EbbCore core;

    @Setup
    public void setUp() {
        EbbConfig config = EbbConfig.builder().kubernetes(false).handleSignals(false)
                .deregistrationDelay(Duration.ofHours(1)).terminationGracePeriod(Duration.ofHours(2)).build();
        core = EbbCore.create(config, new IdleServer());
        if (phase.equals("DEREGISTERING")) {
            core.shutdown();
        }
    }

    /** The three hooks of one request. */
    @Benchmark
    public boolean request() {
        core.requestStarted();
        boolean close = core.closeConnection();
        core.requestFinished();
        return close;
    }

    /** The same from several threads at once: contention on the shared counter. */
    @Benchmark
    @org.openjdk.jmh.annotations.Threads(4)
    public boolean requestContended() {
        return request();
    }

    /** The floor: a volatile read, to compare with. */
    @Benchmark
    public Object baselinePhaseRead() {
        return core.phase();
    }

    /** A server stand-in that does nothing. */
    static final class IdleServer implements ServerAdapter {
        @Override
        public String serverName() {
            return "benchmark";
        }

        @Override
        public KeepAlive keepAlive() {
            return KeepAlive.none();
        }

        @Override
        public void setKeepAliveTimeout(Duration timeout) {
        }

        @Override
        public void closeListeners() {
        }

        @Override
        public int closeIdleConnections() {
            return 0;
        }

        @Override
        public int abortConnections() {
            return 0;
        }

        @Override
        public void stop() {
        }
    }
}
