package dev.ebb.spi;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link ServerAdapter} test double that records what core asked of it, in order. */
class RecordingAdapter implements ServerAdapter {

    final List<String> calls = new CopyOnWriteArrayList<>();
    KeepAlive keepAlive = KeepAlive.serverDefault(Duration.ofSeconds(30));
    int idleConnections = 2;
    int openConnections = 3;
    RuntimeException failOnCloseListeners;
    Exception failOnStop;

    @Override
    public String serverName() {
        return "TestServer 1.0";
    }

    @Override
    public KeepAlive keepAlive() {
        return keepAlive;
    }

    @Override
    public void setKeepAliveTimeout(Duration timeout) {
        calls.add("keepAlive " + timeout);
        keepAlive = KeepAlive.serverDefault(timeout);
    }

    @Override
    public void startDeregistering() {
        calls.add("goaway");
    }

    @Override
    public void closeListeners() {
        calls.add("closeListeners");
        if (failOnCloseListeners != null) {
            throw failOnCloseListeners;
        }
    }

    @Override
    public int closeIdleConnections() {
        calls.add("closeIdle");
        return idleConnections;
    }

    int upgraded;
    /** Run inside {@link #closeUpgradedConnections()}, e.g. a closing handshake that completes at once. */
    Runnable onGoingAway;

    @Override
    public int closeUpgradedConnections() {
        calls.add("goingAway");
        if (onGoingAway != null) {
            onGoingAway.run();
        }
        return upgraded;
    }

    @Override
    public int abortConnections() {
        calls.add("abort");
        return openConnections;
    }

    @Override
    public void stop() throws Exception {
        calls.add("stop");
        if (failOnStop != null) {
            throw failOnStop;
        }
    }
}
