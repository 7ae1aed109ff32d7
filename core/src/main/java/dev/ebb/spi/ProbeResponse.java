package dev.ebb.spi;

import java.nio.charset.StandardCharsets;

/**
 * What a probe request ({@code ebb.readiness-path}, {@code ebb.liveness-path}) is answered with, decided by
 * core so that every adapter answers alike: the status, a short text body, {@link #CONTENT_TYPE} and
 * {@link #CACHE_CONTROL}; on HTTP/1 while {@link EbbCore#closing()}, also {@code Connection: close}. Immutable.
 *
 * @param status 200 or 503
 * @param body {@code UP} or {@code DOWN} and a line feed
 */
public record ProbeResponse(int status, String body) {

    /** The {@code Content-Type} of every probe response. */
    public static final String CONTENT_TYPE = "text/plain; charset=utf-8";
    /** The {@code Cache-Control} of every probe response: a probe's answer must never be cached. */
    public static final String CACHE_CONTROL = "no-store";
    /** A passing probe. */
    public static final ProbeResponse UP = new ProbeResponse(200, "UP\n");
    /** A failing probe. */
    public static final ProbeResponse DOWN = new ProbeResponse(503, "DOWN\n");

    /** The response for a probe {@code status} (200 or 503). */
    public static ProbeResponse of(int status) {
        return status == 200 ? UP : DOWN;
    }

    /** The body as bytes (ASCII). */
    public byte[] bodyBytes() {
        return body.getBytes(StandardCharsets.US_ASCII);
    }
}
