package dev.ebb.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ebb.EbbConfig;
import dev.ebb.ShutdownReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;

/**
 * Real threads starting and finishing requests and WebSockets while {@code shutdown}, {@code expedite} and the
 * drain race on core's own scheduler thread. A drain that misses the last finish would wait for its 20 s
 * timeout (the report's bounded wait fails); one that ends early would count aborted requests.
 */
class EbbCoreConcurrencyTest {

    private static final int ROUNDS = 300;
    private static final int WORKERS = 4;

    @Test
    void drainNeverEndsWithARequestInFlightAndNeverMissesTheLastFinish() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        int expeditedRounds = 0;
        long requestsRaced = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                boolean expedite = round % 5 == 4;
                EbbCore core = EbbCore.create(EbbConfig.builder().kubernetes(false).handleSignals(false)
                        .deregistrationDelay(Duration.ZERO).drainTimeout(Duration.ofSeconds(20))
                        .terminationGracePeriod(Duration.ofSeconds(60)).build(), new RecordingAdapter());
                // Starts are refused once shutdown() has been called, as a closed listener refuses them: what
                // races is every finish against the drain's start, its end and expedite().
                ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
                boolean[] shut = new boolean[1];
                CountDownLatch running = new CountDownLatch(WORKERS);
                List<Future<Long>> workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    workers.add(pool.submit(() -> work(core, gate, shut, running)));
                }
                running.await(10, TimeUnit.SECONDS);
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200_000));
                gate.writeLock().lock();
                CompletableFuture<ShutdownReport> stopped;
                try {
                    shut[0] = true;
                    stopped = core.shutdown();
                } finally {
                    gate.writeLock().unlock();
                }
                if (expedite) {
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(300_000));
                    core.expedite();
                    core.expedite();
                }
                ShutdownReport report = stopped.get(15, TimeUnit.SECONDS);
                for (Future<Long> f : workers) {
                    requestsRaced += f.get(10, TimeUnit.SECONDS);
                }
                assertThat(report.drainTimedOut()).as("round %d: %s", round, report).isFalse();
                if (report.expedited()) {
                    expeditedRounds++;
                } else {
                    assertThat(report.requestsAborted()).as("round %d: %s", round, report).isZero();
                    assertThat(report.webSocketsAborted()).as("round %d: %s", round, report).isZero();
                }
                assertThat(core.inFlightRequests()).as("round %d: every start was finished", round).isZero();
                assertThat(core.upgradedConnections()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("[stress] %d rounds, %d requests, %d rounds cut short by expedite()%n",
                ROUNDS, requestsRaced, expeditedRounds);
    }

    /** Starts requests (some upgraded) until shutdown, finishing each after a short random time. */
    private static long work(EbbCore core, ReentrantReadWriteLock gate, boolean[] shut, CountDownLatch running) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long n = 0;
        running.countDown();
        while (true) {
            boolean upgrade = random.nextInt(8) == 0;
            gate.readLock().lock();
            try {
                if (shut[0]) {
                    return n;
                }
                core.requestStarted();
                if (upgrade) {
                    core.upgradeOpened();
                }
            } finally {
                gate.readLock().unlock();
            }
            n++;
            LockSupport.parkNanos(random.nextLong(50_000));
            if (upgrade) {
                core.requestFinished();
                LockSupport.parkNanos(random.nextLong(50_000));
                core.upgradeClosed();
            } else {
                core.requestFinished();
            }
        }
    }
}
