package dev.ebb.internal;

import dev.ebb.spi.Scheduler;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The default {@link Scheduler}: {@link System#nanoTime()} and one non-daemon thread started on first use;
 * calls into the server run on a daemon thread each, waited for within their budget; repeating timers share one
 * daemon thread per JVM.
 */
public final class SystemScheduler implements Scheduler {

    /** One daemon thread for every server's sampling timer in this JVM, started on first use. */
    private static final class Sampler {
        static final ScheduledThreadPoolExecutor EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ebb-sampler");
            t.setDaemon(true);
            return t;
        });

        static {
            EXECUTOR.setRemoveOnCancelPolicy(true);
        }
    }

    private ScheduledThreadPoolExecutor executor;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
        executor().execute(task);
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        ScheduledFuture<?> f = executor().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public Cancellable repeat(Runnable task, Duration period) {
        Runnable safe = () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // a failed sample is lost, the timer goes on
            }
        };
        ScheduledFuture<?> f = Sampler.EXECUTOR.scheduleAtFixedRate(safe, period.toNanos(), period.toNanos(),
                TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public <T> T call(Callable<T> operation, Duration budget) throws Exception {
        FutureTask<T> task = new FutureTask<>(operation);
        Thread t = new Thread(task, "ebb-server-call");
        t.setDaemon(true);
        t.start();
        try {
            return task.get(budget.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdown();
        }
    }

    private synchronized ScheduledThreadPoolExecutor executor() {
        if (executor == null) {
            executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "ebb-shutdown");
                t.setDaemon(false);
                return t;
            });
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            executor.setRemoveOnCancelPolicy(true);
        }
        return executor;
    }
}
