package dev.ebb.internal;

import dev.ebb.EbbConfig;
import dev.ebb.EbbListener;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import dev.ebb.spi.ServerAdapter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A child JVM for {@link SignalTrapTest}: an Ebb with a server stand-in that takes real signals and
 * prints what happens, one line per event, on stdout.
 */
public final class SignalChild {

    private SignalChild() {
    }

    /** The application's own SIGTERM handler, installed before Ebb's (reflectively: sun.misc is jdk.unsupported). */
    private static void installOwnHandler() throws Exception {
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        Object handler = java.lang.reflect.Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                (proxy, method, a) -> {
                    if (method.getName().equals("handle")) {
                        System.out.println("PREVIOUS HANDLER");
                    }
                    return method.getName().equals("hashCode") ? 1 : method.getName().equals("equals") ? proxy == a[0] : null;
                });
        signalClass.getMethod("handle", signalClass, handlerClass)
                .invoke(null, signalClass.getConstructor(String.class).newInstance("TERM"), handler);
    }

    public static void main(String[] args) throws Exception {
        EbbConfig config = EbbConfig.builder().kubernetes(false)
                .deregistrationDelay(Durations.parse(args[0]))
                .terminationGracePeriod(Duration.ofMinutes(5))
                .drainTimeout(Duration.ofMillis(args.length > 1 && args[1].equals("ends-aborting") ? 300 : 15_000))
                .build();
        CountDownLatch forever = new CountDownLatch(1);
        EbbCore core = EbbCore.create(config, new ServerAdapter() {
            @Override
            public String serverName() {
                return "child";
            }

            @Override
            public KeepAlive keepAlive() {
                return KeepAlive.none();
            }

            @Override
            public void setKeepAliveTimeout(Duration timeout) {
            }

            @Override
            public void closeListeners() {
                System.out.println("CLOSE LISTENERS");
            }

            @Override
            public int closeIdleConnections() {
                return 0;
            }

            @Override
            public int abortConnections() {
                return 0;
            }

            @Override
            public void stop() {
                System.out.println("STOP");
                forever.countDown();
            }
        });
        core.addListener(new EbbListener() {
            @Override
            public void onPhase(Phase from, Phase to) {
                System.out.println("PHASE " + to);
            }

            @Override
            public void onStopped(ShutdownReport report) {
                System.out.println("REPORT clean=" + report.clean());
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("HOOK")));
        if (args.length > 1 && args[1].equals("chain")) {
            installOwnHandler();
        }
        core.started();
        System.out.println("STARTED");
        if (args.length > 1 && args[1].equals("exit")) {
            System.exit(3);
        }
        if (args.length > 1 && args[1].equals("ends-aborting")) {
            // Like a server whose threads all end when it stops: the JVM would then end by itself, with 0.
            Thread server = new Thread(() -> {
                try {
                    forever.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "server");
            server.start();
            core.requestStarted(); // never finished: aborted at the drain timeout
            return;
        }
        forever.await();
        // The server stopped: like a real server's threads, keep the JVM up until Ebb exits it.
        new CountDownLatch(1).await();
    }
}
