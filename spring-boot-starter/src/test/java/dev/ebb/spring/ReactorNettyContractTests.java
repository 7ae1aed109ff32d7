package dev.ebb.spring;

import dev.ebb.Ebb;
import dev.ebb.EbbConfig;
import dev.ebb.contract.AdapterContract;
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

/**
 * The adapter contract against a WebFlux application on Reactor Netty with the starter, cleartext (HTTP/1.1
 * and h2c with prior knowledge). The contract's config reaches the application as {@code ebb.*} properties;
 * {@link RunningServer#ebb()} is the application's {@code Ebb} bean.
 */
class ReactorNettyContractTests extends AdapterContract {

    @Override
    protected RunningServer start(EbbConfig config) throws Exception {
        SpringApplication application = new SpringApplication(ReactiveContractApplication.class);
        application.setWebApplicationType(WebApplicationType.REACTIVE);
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--server.http2.enabled=true",
                "--spring.main.banner-mode=off",
                "--spring.autoconfigure.exclude="
                        + "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
                        + "org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration",
                "--ebb.enabled=" + config.enabled(),
                "--ebb.deregistration-delay=" + ms(config.deregistrationDelay()),
                "--ebb.drain-timeout=" + ms(config.drainTimeout()),
                "--ebb.termination-grace-period=" + ms(config.terminationGracePeriod())));
        config.loadBalancerIdleTimeout().ifPresent(t -> args.add("--ebb.load-balancer-idle-timeout=" + ms(t)));
        if (tls()) {
            args.addAll(List.of(
                    "--server.ssl.key-store=" + TestTls.keyStore().toUri(),
                    "--server.ssl.key-store-type=PKCS12",
                    "--server.ssl.key-store-password=" + TestTls.PASSWORD,
                    "--server.ssl.key-alias=" + TestTls.ALIAS,
                    "--server.ssl.key-password=" + TestTls.PASSWORD));
        }
        ConfigurableApplicationContext context = application.run(args.toArray(String[]::new));
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        Ebb ebb = config.enabled() ? context.getBean(EbbCore.class) : withoutEbb(config, context);
        return RunningServer.of(port, ebb, tls(), context::close);
    }

    private static String ms(Duration d) {
        return d.toMillis() + "ms";
    }

    /** With ebb.enabled=false the application has no Ebb: the contract's handle just closes the context. */
    private static Ebb withoutEbb(EbbConfig config, ConfigurableApplicationContext context) {
        return EbbCore.create(config, new ServerAdapter() {
            @Override
            public String serverName() {
                return "Reactor Netty without Ebb";
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
        });
    }
}
