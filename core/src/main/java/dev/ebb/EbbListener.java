package dev.ebb;

/**
 * Told of every phase change and of the final report. Called on Ebb's shutdown thread; an exception
 * thrown here is logged and does not stop the shutdown. Implementations must be thread-safe.
 */
public interface EbbListener {

    /** The phase changed from {@code from} to {@code to}. */
    default void onPhase(Phase from, Phase to) {
    }

    /** The server has stopped; {@code report} is final. */
    default void onStopped(ShutdownReport report) {
    }
}
