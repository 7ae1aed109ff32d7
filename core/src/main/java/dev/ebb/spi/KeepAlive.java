package dev.ebb.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A server's keep-alive idle timeout as its adapter reads it: the time an idle connection is kept
 * open waiting for the next request, and whether the application set it itself (rather than leaving
 * the server's default). Immutable.
 *
 * @param timeout the timeout, or empty when the server keeps idle connections forever
 * @param explicit whether the application configured it
 */
public record KeepAlive(Optional<Duration> timeout, boolean explicit) {

    /** Validates the fields. */
    public KeepAlive {
        Objects.requireNonNull(timeout, "timeout");
    }

    /** The server's default {@code timeout}. */
    public static KeepAlive serverDefault(Duration timeout) {
        return new KeepAlive(Optional.of(timeout), false);
    }

    /** A timeout the application set. */
    public static KeepAlive explicit(Duration timeout) {
        return new KeepAlive(Optional.of(timeout), true);
    }

    /** No keep-alive idle timeout: idle connections stay open until the peer closes them. */
    public static KeepAlive none() {
        return new KeepAlive(Optional.empty(), false);
    }
}
