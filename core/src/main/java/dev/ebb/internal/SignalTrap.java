package dev.ebb.internal;

import dev.ebb.Ebb;
import dev.ebb.ShutdownReport;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes SIGTERM and SIGINT for every registered {@link Ebb}, so the whole shutdown runs before the
 * JVM's shutdown hooks (logging, pools, contexts); then exits the JVM: status 0 when every shutdown
 * was clean, 1 when requests were aborted or a server failed to stop. A second signal expedites.
 *
 * <p>{@code sun.misc.Signal} is reached reflectively (it lives in {@code jdk.unsupported}). Where
 * signals cannot be taken ({@code -Xrs}, another owner) a shutdown hook runs the sequence instead,
 * concurrently with the other hooks; that is logged once.
 */
public final class SignalTrap {

    private static final Logger log = LoggerFactory.getLogger(Ebb.class);
    private static final List<Ebb> registered = new CopyOnWriteArrayList<>();
    private static final AtomicInteger signals = new AtomicInteger();
    private static boolean installed;

    private SignalTrap() {
    }

    /** Adds {@code ebb} to the instances shut down on SIGTERM/SIGINT; installs the handlers once. */
    public static synchronized void register(Ebb ebb) {
        registered.add(ebb);
        if (!installed) {
            installed = true;
            install();
        }
    }

    private static void install() {
        boolean term = handle("TERM");
        boolean intr = handle("INT");
        if (!term) {
            log.warn("ebb: cannot take SIGTERM (-Xrs or another owner of the signal); falling back to a shutdown hook,"
                    + " which runs concurrently with the JVM's other shutdown hooks");
            Runtime.getRuntime().addShutdownHook(new Thread(SignalTrap::fromShutdownHook, "ebb-shutdown-hook"));
        } else if (!intr) {
            log.debug("ebb: SIGINT is not available; only SIGTERM is taken");
        }
    }

    private static boolean handle(String name) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> invoke(name, proxy, method, args));
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            handle.invoke(null, signal, handler);
            return true;
        } catch (InvocationTargetException e) {
            log.debug("ebb: SIG{} refused: {}", name, e.getCause().toString());
            return false;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.debug("ebb: sun.misc.Signal unavailable: {}", e.toString());
            return false;
        }
    }

    private static Object invoke(String name, Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "handle":
                onSignal("SIG" + name);
                return null;
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            case "toString":
                return "ebb SIG" + name + " handler";
            default:
                return null;
        }
    }

    /** What a signal does; runs on the JVM's signal dispatch thread. */
    static void onSignal(String name) {
        int n = signals.incrementAndGet();
        if (n > 1) {
            log.info("ebb: {} again: expediting", name);
            registered.forEach(Ebb::expedite);
            return;
        }
        log.info("ebb: {} received: shutting down {} server(s) gracefully", name, registered.size());
        int status = awaitAll();
        log.info("ebb: exiting with status {}", status);
        System.exit(status);
    }

    private static void fromShutdownHook() {
        if (signals.incrementAndGet() == 1) {
            awaitAll();
        }
    }

    private static int awaitAll() {
        CompletableFuture<?>[] futures = registered.stream().map(Ebb::shutdown).toArray(CompletableFuture[]::new);
        Duration longest = registered.stream().map(e -> e.config().terminationGracePeriod())
                .max(Duration::compareTo).orElse(Duration.ofSeconds(30));
        try {
            CompletableFuture.allOf(futures).get(longest.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.error("ebb: shutdown did not finish within the grace period {}", Durations.format(longest));
            return 1;
        } catch (Exception e) {
            log.error("ebb: shutdown failed", e);
            return 1;
        }
        for (CompletableFuture<?> f : futures) {
            ShutdownReport r = (ShutdownReport) f.join();
            if (!r.clean()) {
                return 1;
            }
        }
        return 0;
    }
}
