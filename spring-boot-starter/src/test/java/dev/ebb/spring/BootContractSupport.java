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
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts {@link ContractApplication} on a servlet server with an {@link EbbConfig} translated to {@code ebb.*}. */
final class BootContractSupport {

    private BootContractSupport() {
    }

    static RunningServer start(EbbConfig config, boolean tls, List<String> serverArgs) {
        SpringApplication application = new SpringApplication(ContractApplication.class);
        application.setWebApplicationType(WebApplicationType.SERVLET);
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off",
                "--management.endpoint.health.probes.enabled=true",
                "--management.endpoint.health.group.readiness.additional-path=server:" + config.readinessPath(),
                "--management.endpoint.health.group.liveness.additional-path=server:" + config.livenessPath()));
        args.addAll(ebbArgs(config));
        args.addAll(serverArgs);
        ConfigurableApplicationContext context = application.run(args.toArray(String[]::new));
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        Ebb ebb = config.enabled() ? context.getBean(Ebb.class) : EbbCore.create(config, new Bare(context));
        return RunningServer.of(port, ebb, tls, closer(context));
    }

    /**
     * Closes the context after Ebb's own close of it, if any, is over. Two concurrent closers would let one
     * return early, and a context still closing in the background (e.g. disposing Reactor Netty's shared
     * event loops) would break the next test's server.
     */
    static AdapterContract.Cleanup closer(ConfigurableApplicationContext context) {
        EbbLifecycle lifecycle = context.getBeanProvider(EbbLifecycle.class).getIfAvailable();
        return () -> {
            if (lifecycle != null) {
                lifecycle.awaitContextClosed(CLOSE_WAIT.toMillis());
            }
            context.close();
        };
    }

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    /** Boot's {@code server.ssl.*} properties serving the {@link TestTls} key store. */
    static List<String> tlsArgs() {
        return List.of(
                "--server.ssl.key-store=" + TestTls.keyStore().toAbsolutePath(),
                "--server.ssl.key-store-type=PKCS12",
                "--server.ssl.key-store-password=" + TestTls.PASSWORD,
                "--server.ssl.key-alias=" + TestTls.ALIAS);
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
