package dev.ebb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a minute of sampled arrivals proves, tick by tick. */
class ArrivalHistoryTest {

    private static final Duration DELAY = Duration.ofSeconds(10);

    private final ArrivalHistory history = new ArrivalHistory();
    private long total;

    /** {@code ticks} samples, with {@code perTick} new requests in every {@code every}-th tick. */
    private void ticks(int ticks, int every, int perTick) {
        for (int t = 0; t < ticks; t++) {
            if (t % every == 0) {
                total += perTick;
            }
            history.sample(total);
        }
    }

    @Test
    void steadyTrafficGivesTheShortestWindow() {
        ticks(100, 1, 5);
        ArrivalHistory.Verdict v = history.quietWindow(DELAY);
        assertThat(v.quiet()).contains(Duration.ofMillis(600));
        assertThat(v.reason()).isEmpty();
    }

    @Test
    void theWindowIsThreeTimesTheLongestGap() {
        ticks(300, 4, 1); // a request every 400 ms
        assertThat(history.quietWindow(DELAY).quiet()).contains(Duration.ofMillis(1500));
    }

    @Test
    void aWindowLongerThanAQuarterOfTheDelayProvesNothing() {
        ticks(600, 9, 1); // every 900 ms: window 3 s > 2.5 s
        assertThat(history.quietWindow(DELAY).quiet()).isEmpty();
        assertThat(history.quietWindow(DELAY).reason()).isEqualTo(
                "traffic too sparse or bursty (longest gap between requests 1s)");
        assertThat(history.quietWindow(Duration.ofSeconds(30)).quiet()).contains(Duration.ofSeconds(3));
    }

    @Test
    void tooLittleHistoryProvesNothing() {
        ticks(31, 1, 1); // the first sample only primes the total
        assertThat(history.quietWindow(DELAY).reason()).isEqualTo("too little traffic history (3s, needs 5s)");
    }

    @Test
    void tooFewRequestsProveNothing() {
        ticks(100, 1, 0);
        ticks(19, 1, 1); // 19 busy ticks in a row: gaps are short, but there are too few of them
        assertThat(history.quietWindow(DELAY).reason()).startsWith("too few requests before the shutdown (in 19 of");
        ticks(1, 1, 1);
        assertThat(history.quietWindow(DELAY).quiet()).contains(Duration.ofMillis(600));
    }

    @Test
    void onlyTheLastMinuteCounts() {
        ticks(300, 20, 1); // sparse, then a full minute of steady traffic
        ticks(600, 1, 1);
        assertThat(history.quietWindow(DELAY).quiet()).contains(Duration.ofMillis(600));
    }
}
