package dev.ebb.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A {@link Scheduler} whose time moves only when a test says so; tasks run on the test's thread. */
final class ManualScheduler implements Scheduler {

    private final List<Entry> tasks = new ArrayList<>();
    private long now = 1_000_000_000L;
    private long sequence;
    private boolean closed;

    private static final class Entry {
        final long due;
        final long seq;
        final Runnable task;
        boolean cancelled;

        Entry(long due, long seq, Runnable task) {
            this.due = due;
            this.seq = seq;
            this.task = task;
        }
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(new Entry(now, sequence++, task));
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, Duration delay) {
        Entry e = new Entry(now + delay.toNanos(), sequence++, task);
        tasks.add(e);
        return () -> {
            synchronized (this) {
                e.cancelled = true;
            }
        };
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    synchronized boolean closed() {
        return closed;
    }

    /** Runs every task due now, including tasks those tasks queue. */
    void runDue() {
        while (true) {
            Entry next;
            synchronized (this) {
                next = tasks.stream().filter(e -> !e.cancelled && e.due <= now)
                        .min(Comparator.<Entry>comparingLong(e -> e.due).thenComparingLong(e -> e.seq)).orElse(null);
                if (next == null) {
                    return;
                }
                tasks.remove(next);
            }
            next.task.run();
        }
    }

    /** Moves time forward by {@code d}, running tasks as they fall due. */
    void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        while (true) {
            runDue();
            Entry next;
            synchronized (this) {
                next = tasks.stream().filter(e -> !e.cancelled && e.due <= target)
                        .min(Comparator.comparingLong(e -> e.due)).orElse(null);
                if (next == null) {
                    now = target;
                    break;
                }
                now = next.due;
            }
        }
        runDue();
    }

    /** Tasks waiting (not cancelled). */
    synchronized long pending() {
        return tasks.stream().filter(e -> !e.cancelled).count();
    }
}
