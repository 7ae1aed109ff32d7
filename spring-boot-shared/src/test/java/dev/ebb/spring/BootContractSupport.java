package dev.ebb.spring;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
import dev.ebb.contract.AdapterContract.RunningServer;
import dev.ebb.contract.TestTls;
import dev.ebb.spi.EbbCore;
import dev.ebb.spi.KeepAlive;
import dev.ebb.spi.ServerAdapter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts a contract application ({@link ContractApplication} on a servlet server, {@link ReactiveContractApplication}
 * on Reactor Netty) with an {@link EbbConfig} translated to {@code ebb.*} properties.
 */
final class BootContractSupport {

    private BootContractSupport() {
    }

    /**
     * {@link ContractApplication} on the servlet server named {@code server} ({@link TestServers}), Actuator's
     * readiness and liveness groups on Ebb's probe paths.
     */
    static RunningServer start(EbbConfig config, boolean tls, String server, List<String> serverArgs) {
        List<String> args = new ArrayList<>(List.of(
                "--management.endpoint.health.group.readiness.additional-path=server:" + config.readinessPath(),
                "--management.endpoint.health.group.liveness.additional-path=server:" + config.livenessPath()));
        args.addAll(serverArgs);
        return start(config, tls, ContractApplication.class, WebApplicationType.SERVLET, server, args).server();
    }

    /**
     * No quiet period when the context disposes of Reactor Netty's event loops (2 s by default), after Ebb and Boot
     * have stopped the server: it only lengthens every test.
     */
    static final String NO_QUIET_PERIOD = "--spring.reactor.netty.shutdown-quiet-period=0s";

    /** A started contract application and the handle the contract drives it by. */
    record Started(RunningServer server, ConfigurableApplicationContext context) {
    }

    static Started start(EbbConfig config, boolean tls, Class<?> source, WebApplicationType type, String server,
            List<String> serverArgs) {
        SpringApplication application = new SpringApplication(source);
        application.setWebApplicationType(type);
        List<String> args = new ArrayList<>(TestServers.use(application, type, server));
        args.addAll(List.of(
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off",
                "--management.endpoint.health.probes.enabled=true"));
        args.addAll(ebbArgs(config));
        if (type == WebApplicationType.REACTIVE) {
            args.add(NO_QUIET_PERIOD);
        }
        args.addAll(serverArgs);
        if (tls) {
            args.addAll(tlsArgs());
        }
        ConfigurableApplicationContext context = application.run(args.toArray(String[]::new));
        int port = BootWeb.webServer(context).getPort();
        Ebb ebb = config.enabled() ? context.getBean(Ebb.class) : EbbCore.create(config, new Bare(context));
        return new Started(RunningServer.of(port, ebb, tls, closer(context)), context);
    }

    /**
     * Closes the context after Ebb's own close of it, if any, is over. Two concurrent closers would let one
     * return early, and a context still closing in the background (e.g. disposing Reactor Netty's shared
     * event loops) would break the next test's server. Fails if Ebb's close did not end in time: once Ebb has
     * stopped the server, nothing in the context may hold its close (e.g. Boot's graceful shutdown waiting on a
     * request Ebb aborted).
     */
    static AdapterContract.Cleanup closer(ConfigurableApplicationContext context) {
        EbbLifecycle lifecycle = context.getBeanProvider(EbbLifecycle.class).getIfAvailable();
        return () -> {
            boolean closed = lifecycle == null || lifecycle.awaitContextClosed(CLOSE_WAIT.toMillis());
            context.close();
            if (!closed) {
                throw new AssertionError("Ebb's close of the context did not end within " + CLOSE_WAIT
                        + " after the shutdown it ran");
            }
        };
    }

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    /** Boot's {@code server.ssl.*} properties serving the {@link TestTls} key store. */
    static List<String> tlsArgs() {
        return List.of(
                "--server.ssl.key-store=" + TestTls.keyStore().toAbsolutePath(),
                "--server.ssl.key-store-type=PKCS12",
                "--server.ssl.key-store-password=" + TestTls.PASSWORD,
                "--server.ssl.key-alias=" + TestTls.ALIAS,
                "--server.ssl.key-password=" + TestTls.PASSWORD);
    }

    /** The {@code ebb.*} command-line arguments that configure what {@code config} holds. */
    static List<String> ebbArgs(EbbConfig config) {
        List<String> args = new ArrayList<>(List.of(
                "--ebb.enabled=" + config.enabled(),
                "--ebb.deregistration-delay=" + ms(config.deregistrationDelay()),
                "--ebb.drain-timeout=" + ms(config.drainTimeout()),
                "--ebb.termination-grace-period=" + ms(config.terminationGracePeriod())));
        config.loadBalancer().ifPresent(lb -> args.add("--ebb.load-balancer=" + lb.configName()));
        config.loadBalancerIdleTimeout().ifPresent(t -> args.add("--ebb.load-balancer-idle-timeout=" + ms(t)));
        return args;
    }

    private static String ms(Duration d) {
        return d.toMillis() + "ms";
    }

    /** The bare server's handle with {@code ebb.enabled=false}: shutting down closes the context. */
    private record Bare(ConfigurableApplicationContext context) implements ServerAdapter {
        @Override
        public String serverName() {
            return "Spring Boot";
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
            context.close();
        }
    }
}
