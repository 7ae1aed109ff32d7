package dev.ebb.undertow;

import dev.ebb.spi.KeepAlive;
import dev.ebb.spi.ServerAdapter;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.Version;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.channels.AcceptingChannel;

/** Translates core's decisions into Undertow and XNIO calls. Thread-safe. */
final class UndertowAdapter implements ServerAdapter {

    /** The longest wait for the I/O threads to close the idle connections (core's drain deadline bounds it too). */
    private static final long WAIT_MS = 10_000;

    /** {@code Undertow.start()} sets this {@link UndertowOptions#NO_REQUEST_TIMEOUT} unless told otherwise. */
    static final int UNDERTOW_DEFAULT_NO_REQUEST_TIMEOUT_MS = 60_000;

    private final OptionMap.Builder serverOptions;
    private final List<AcceptingChannel<?>> channels = new CopyOnWriteArrayList<>();
    private volatile Undertow undertow;
    private volatile EbbHandler handler;

    UndertowAdapter(OptionMap.Builder serverOptions) {
        this.serverOptions = serverOptions;
    }

    void attach(Undertow undertow, EbbHandler handler) {
        this.undertow = undertow;
        this.handler = handler;
    }

    void listening(AcceptingChannel<?> channel) {
        channels.add(channel);
    }

    @Override
    public String serverName() {
        return "Undertow " + Version.getVersionString();
    }

    /**
     * The keep-alive idle timeout: {@link UndertowOptions#NO_REQUEST_TIMEOUT}, unless the application set an
     * {@link UndertowOptions#IDLE_TIMEOUT} (no byte read or written) below it, which then closes idle
     * connections first and is what core must check against the load balancer's.
     */
    @Override
    public KeepAlive keepAlive() {
        OptionMap options = serverOptions.getMap();
        KeepAlive noRequest;
        if (!options.contains(UndertowOptions.NO_REQUEST_TIMEOUT)) {
            noRequest = KeepAlive.serverDefault(Duration.ofMillis(UNDERTOW_DEFAULT_NO_REQUEST_TIMEOUT_MS));
        } else {
            int ms = options.get(UndertowOptions.NO_REQUEST_TIMEOUT, UNDERTOW_DEFAULT_NO_REQUEST_TIMEOUT_MS);
            noRequest = ms > 0 ? KeepAlive.explicit(Duration.ofMillis(ms)) : new KeepAlive(Optional.empty(), true);
        }
        int idleMs = options.get(UndertowOptions.IDLE_TIMEOUT, 0);
        if (idleMs > 0) {
            Duration idle = Duration.ofMillis(idleMs);
            if (noRequest.timeout().map(t -> idle.compareTo(t) < 0).orElse(true)) {
                return KeepAlive.explicit(idle);
            }
        }
        return noRequest;
    }

    @Override
    public void setKeepAliveTimeout(Duration timeout) {
        serverOptions.set(UndertowOptions.NO_REQUEST_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    @Override
    public void startDeregistering() {
        // HTTP/1 is told per response (Connection: close); HTTP/2 by GOAWAY where Ebb holds the channel.
        handler.goAwayHttp2();
    }

    @Override
    public int closeUpgradedConnections() {
        return handler.closeWebSockets();
    }

    @Override
    public void closeListeners() throws IOException {
        for (AcceptingChannel<?> channel : channels) {
            channel.close();
        }
    }

    @Override
    public int closeIdleConnections() {
        return handler.closeIdle(WAIT_MS);
    }

    @Override
    public int abortConnections() {
        return handler.abortAll();
    }

    @Override
    public void stop() {
        for (AcceptingChannel<?> channel : channels) {
            IoUtils.safeClose(channel);
        }
        Undertow u = undertow;
        if (u != null) {
            u.stop();
        }
    }
}
