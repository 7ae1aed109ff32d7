package dev.ebb.spi;

import dev.ebb.internal.SystemScheduler;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/**
 * The clock and the thread Ebb's shutdown runs on. The default, {@link #system()}, starts one thread
 * named {@code ebb-shutdown} when a shutdown begins; tests inject a manual one to run the timing
 * logic without waiting. Implementations must be thread-safe.
 */
public interface Scheduler {

    /** A monotonic time in nanoseconds, like {@link System#nanoTime()}. */
    long nanoTime();

    /** Runs {@code task} soon on the scheduler's thread. */
    void execute(Runnable task);

    /** Runs {@code task} on the scheduler's thread after {@code delay}, unless cancelled first. */
    Cancellable schedule(Runnable task, Duration delay);

    /**
     * Runs {@code task} every {@code period} until cancelled, from now on, while the server serves. It must not
     * keep the JVM alive: the system scheduler runs it on one shared daemon thread, never on the shutdown thread.
     * The default re-arms itself with {@link #schedule}, which suits a manual clock.
     */
    default Cancellable repeat(Runnable task, Duration period) {
        final class Repeating implements Runnable, Cancellable {
            private volatile boolean cancelled;
            private volatile Cancellable next;

            @Override
            public void run() {
                if (cancelled) {
                    return;
                }
                task.run();
                if (!cancelled) {
                    next = schedule(this, period);
                }
            }

            @Override
            public void cancel() {
                cancelled = true;
                Cancellable n = next;
                if (n != null) {
                    n.cancel();
                }
            }
        }
        Repeating r = new Repeating();
        r.next = schedule(r, period);
        return r;
    }

    /**
     * Runs {@code operation} (a call into the server) and returns its result, waiting at most {@code budget}
     * for it. The default runs it inline on the calling thread; the system scheduler runs it on a thread of
     * its own so that a blocked server cannot hold up Ebb's deadlines.
     *
     * @throws TimeoutException when the operation is still running after {@code budget} (it is left to finish)
     * @throws Exception what the operation threw
     */
    default <T> T call(Callable<T> operation, Duration budget) throws Exception {
        return operation.call();
    }

    /** Releases the scheduler's thread once the shutdown is over. */
    default void close() {
    }

    /** A scheduled task. */
    interface Cancellable {
        /** Cancels the task if it has not run yet. */
        void cancel();
    }

    /** A new scheduler on the system clock with its own thread. */
    static Scheduler system() {
        return new SystemScheduler();
    }
}
