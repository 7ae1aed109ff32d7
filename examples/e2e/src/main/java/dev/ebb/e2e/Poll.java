package dev.ebb.e2e;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/** Bounded polling for the harness's main code (the tests use Awaitility), so the demo runs on the JDK alone. */
public final class Poll {

    private Poll() {
    }

    /**
     * Polls {@code condition} every {@code interval} until it is true.
     *
     * @throws IllegalStateException after {@code max}, or wrapping what the condition threw
     */
    public static void until(String what, Duration max, Duration interval, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(what + ": " + e, e);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + max.toMillis() + " ms waiting for " + what);
            }
            LockSupport.parkNanos(interval.toNanos());
        }
    }
}
