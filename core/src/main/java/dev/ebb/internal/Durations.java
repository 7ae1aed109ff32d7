package dev.ebb.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints the durations of Ebb's configuration: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code PT10S}. */
public final class Durations {

    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException if it is not a duration of one of the accepted forms; plain
     *         numbers without a unit are refused because their unit would be a guess
     */
    public static Duration parse(String text) {
        String value = text.trim();
        Matcher m = SIMPLE.matcher(value.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms": return Duration.ofMillis(amount);
                case "s": return Duration.ofSeconds(amount);
                case "m": return Duration.ofMinutes(amount);
                case "h": return Duration.ofHours(amount);
                default: return Duration.ofDays(amount);
            }
        }
        if (value.length() > 1 && (value.charAt(0) == 'P' || value.charAt(0) == 'p'
                || value.startsWith("-P") || value.startsWith("-p"))) {
            try {
                return Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not an ISO-8601 duration", e);
            }
        }
        throw new IllegalArgumentException("not a duration");
    }

    /** Prints a duration the way configuration accepts it, in the largest exact unit: {@code 65s}, {@code 1500ms}. */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        // Sub-millisecond parts (measured phase times) are rounded to the millisecond.
        long ms = d.plusNanos(500_000).toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms >= 120_000) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** {@code d} in seconds with one decimal, e.g. {@code 2.1s}: for measured times, read at a glance. */
    public static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
