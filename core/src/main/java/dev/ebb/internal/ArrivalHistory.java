package dev.ebb.internal;

import java.time.Duration;
import java.util.Optional;

/**
 * The last minute of request arrivals, at the resolution of a sampling tick: a ring of how many requests
 * started in each tick, fed from a running total that the request path already keeps. Nothing on the request
 * path writes here; a low-rate timer calls {@link #sample(long)}. From it, {@link #quietWindow} decides how long
 * a silence must last to prove the load balancer has let go. Thread-safe (synchronized; called a few times a
 * second).
 */
public final class ArrivalHistory {

    /** How often the running total is sampled. */
    public static final Duration TICK = Duration.ofMillis(100);
    /** How many ticks the history covers: one minute. */
    static final int TICKS = 600;
    /** The least history, in ticks, before silence can prove anything: 5 s. */
    static final int MIN_TICKS = 50;
    /** The least number of ticks with arrivals before silence can prove anything. */
    static final int MIN_BUSY_TICKS = 20;
    /** The quiet window is this many times the longest gap seen between arrivals. */
    static final int FACTOR = 3;
    /** The shortest quiet window. */
    static final Duration MIN_QUIET = Duration.ofMillis(500);

    private final long[] arrivals = new long[TICKS];
    private long ticks;
    private long lastTotal;
    private boolean primed;

    /** Records the arrivals since the last call, given the running total of requests started. */
    public synchronized void sample(long total) {
        if (!primed) {
            primed = true;
            lastTotal = total;
            return;
        }
        arrivals[(int) (ticks % TICKS)] = Math.max(0, total - lastTotal);
        lastTotal = total;
        ticks++;
    }

    /**
     * What the history proves: the quiet window that ends the delay early, or why there is none.
     *
     * @param quiet how long a silence must last, from the last arrival; empty when the full delay applies
     * @param reason why the full delay applies, for the log; empty when {@code quiet} is present
     */
    public record Verdict(Optional<Duration> quiet, String reason) {
    }

    /**
     * How long a silence must last, from the last arrival, to prove the load balancer has let go: the larger
     * of {@value #FACTOR} times the longest gap between arrivals in the history of whole ticks (the silence
     * since the last arrival counts as a gap) and 500 ms. None when the history cannot prove anything: less
     * than 5 s of it, fewer than {@value #MIN_BUSY_TICKS} ticks with arrivals, or a window longer than a
     * quarter of {@code delay} (sparse or bursty traffic, where a silence is ordinary).
     *
     * @param delay the configured deregistration delay
     */
    public synchronized Verdict quietWindow(Duration delay) {
        int n = (int) Math.min(ticks, TICKS);
        if (n < MIN_TICKS) {
            return new Verdict(Optional.empty(), "too little traffic history (" + Durations.format(TICK.multipliedBy(n))
                    + ", needs " + Durations.format(TICK.multipliedBy(MIN_TICKS)) + ")");
        }
        long first = ticks - n;
        int busy = 0;
        long previous = -1;
        long longestGap = 0;
        for (long t = first; t < ticks; t++) {
            if (arrivals[(int) (t % TICKS)] > 0) {
                busy++;
                if (previous >= 0) {
                    longestGap = Math.max(longestGap, t - previous);
                }
                previous = t;
            }
        }
        if (busy < MIN_BUSY_TICKS) {
            return new Verdict(Optional.empty(), "too few requests before the shutdown (in " + busy + " of the last "
                    + n + " intervals of " + Durations.format(TICK) + ")");
        }
        longestGap = Math.max(longestGap, ticks - previous); // the silence up to now
        // A gap of k ticks between arrivals lasted at most k + 1 ticks.
        Duration gap = TICK.multipliedBy(longestGap + 1);
        Duration quiet = gap.multipliedBy(FACTOR);
        if (quiet.compareTo(MIN_QUIET) < 0) {
            quiet = MIN_QUIET;
        }
        if (quiet.multipliedBy(4).compareTo(delay) > 0) {
            return new Verdict(Optional.empty(), "traffic too sparse or bursty (longest gap between requests "
                    + Durations.format(gap) + ")");
        }
        return new Verdict(Optional.of(quiet), "");
    }
}
