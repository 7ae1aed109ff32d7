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
 * <p>{@code sun.misc.Signal} is reached reflectively (it lives in {@code jdk.unsupported}). A handler that
 * the application installed before Ebb's is chained: it runs after Ebb's shutdown, before the JVM exits.
 * Where SIGTERM cannot be taken — the JVM runs with {@code -Xrs}, or the process inherited SIGTERM as
 * ignored — SIGTERM gets no graceful shutdown at all (under {@code -Xrs} it ends the JVM at once without
 * shutdown hooks; ignored, it does nothing until the kubelet's SIGKILL): that is logged as an error at
 * start-up, naming the cause. A shutdown hook still runs the sequence when the JVM exits another way.
 */
public final class SignalTrap {

    private static final Logger log = LoggerFactory.getLogger(Ebb.class);
    private static final List<Ebb> registered = new CopyOnWriteArrayList<>();
    private static final AtomicInteger signals = new AtomicInteger();
    private static boolean installed;
    private static final java.util.Map<String, Object> previousHandlers = new java.util.concurrent.ConcurrentHashMap<>();

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
        Taken term = handle("TERM");
        Taken intr = handle("INT");
        if (term != Taken.YES) {
            log.error("ebb: cannot take SIGTERM: {}. Consequence: SIGTERM gets no graceful shutdown; {}. Fix: {}",
                    term.cause, term.consequence, term.fix);
            Runtime.getRuntime().addShutdownHook(new Thread(SignalTrap::fromShutdownHook, "ebb-shutdown-hook"));
        } else if (intr != Taken.YES) {
            log.debug("ebb: SIGINT is not taken ({}); only SIGTERM is", intr.cause);
        }
    }

    /** Whether a signal could be taken, and if not, why and what follows. */
    private enum Taken {
        YES("", "", ""),
        XRS("the JVM runs with -Xrs, which keeps SIGTERM from Java code",
                "it ends the JVM at once, without shutdown hooks, cutting every request in flight",
                "remove -Xrs from the JVM options (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, the start script)"),
        IGNORED("this process inherited SIGTERM as ignored from its parent (nohup, a shell with trap '' TERM, an init"
                + " system that masks it)",
                "it does nothing, and the server runs until the kubelet's SIGKILL at the end of the grace period",
                "start the JVM with SIGTERM at its default (exec it from the entrypoint script, without trap '' TERM)"),
        UNAVAILABLE("sun.misc.Signal (module jdk.unsupported) is not available or refused the signal",
                "the JVM's default handling applies: shutdown hooks run while requests are cut",
                "run on a JDK with the jdk.unsupported module, or call Ebb.shutdown() from your own signal handling");

        final String cause;
        final String consequence;
        final String fix;

        Taken(String cause, String consequence, String fix) {
            this.cause = cause;
            this.consequence = consequence;
            this.fix = fix;
        }
    }

    private static Taken handle(String name) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> invoke(name, proxy, method, args));
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object previous = handle.invoke(null, signal, handler);
            if (previous != null && previous.equals(handlerClass.getField("SIG_IGN").get(null))) {
                // The JVM leaves an inherited SIG_IGN in place: the new handler was not installed.
                handle.invoke(null, signal, previous);
                return Taken.IGNORED;
            }
            if (previous != null && !previous.equals(handlerClass.getField("SIG_DFL").get(null))
                    && !previous.getClass().getName().startsWith("sun.misc.Signal$")) {
                previousHandlers.put(name, previous); // the application's own: chained
            }
            return Taken.YES;
        } catch (InvocationTargetException e) {
            log.debug("ebb: SIG{} refused: {}", name, e.getCause().toString());
            return runsWithXrs() ? Taken.XRS : Taken.UNAVAILABLE;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.debug("ebb: sun.misc.Signal unavailable: {}", e.toString());
            return Taken.UNAVAILABLE;
        }
    }

    private static boolean runsWithXrs() {
        try {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-Xrs");
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static Object invoke(String name, Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "handle":
                onSignal("SIG" + name, args[0]);
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
    static void onSignal(String name, Object signal) {
        int n = signals.incrementAndGet();
        if (n > 1) {
            log.info("ebb: {} again: expediting", name);
            registered.forEach(Ebb::expedite);
            return;
        }
        log.info("ebb: {} received: shutting down {} server(s) gracefully", name, registered.size());
        // A non-daemon thread of its own: once the servers have stopped, nothing else may keep the JVM up,
        // and a JVM that ends by itself would exit 0 before Ebb says 1.
        Thread exit = new Thread(() -> finishAndExit(name, signal), "ebb-exit");
        exit.setDaemon(false);
        exit.start();
    }

    private static void finishAndExit(String name, Object signal) {
        int status = awaitAll();
        Object previous = previousHandlers.get(name.substring(3));
        if (previous != null) {
            log.info("ebb: passing {} on to the handler installed before Ebb's ({})", name, previous);
            try {
                Class<?> signalClass = Class.forName("sun.misc.Signal");
                Class.forName("sun.misc.SignalHandler").getMethod("handle", signalClass).invoke(previous, signal);
            } catch (InvocationTargetException e) {
                log.warn("ebb: the previous {} handler failed", name, e.getCause());
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                log.warn("ebb: could not call the previous {} handler", name, e);
            }
        }
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
