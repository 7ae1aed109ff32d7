package dev.ebb.spi;

import dev.ebb.internal.SystemScheduler;
import java.time.Duration;

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
