package dev.ebb.spring;

import dev.ebb.EbbListener;
import dev.ebb.Phase;
import dev.ebb.ShutdownReport;
import dev.ebb.spi.EbbCore;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A child JVM for {@link SignalsTests}: a Boot application on Tomcat that takes real signals and prints
 * what happens, one line per event, on stdout. {@code /hold} answers when Ebb starts draining, or never
 * with {@code forever=true}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(SignalApplication.Hold.class)
public class SignalApplication {

    private static final Queue<CompletableFuture<String>> HELD = new ConcurrentLinkedQueue<>();

    @RestController
    static class Hold {

        @GetMapping("/hold")
        CompletableFuture<String> hold(@RequestParam(defaultValue = "false") boolean forever) {
            CompletableFuture<String> response = new CompletableFuture<>();
            if (!forever) {
                HELD.add(response);
            }
            System.out.println("HELD");
            return response;
        }

        @PreDestroy
        void destroyed() {
            System.out.println("CONTEXT CLOSED");
        }
    }

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(SignalApplication.class);
        application.setWebApplicationType(WebApplicationType.SERVLET);
        List<String> all = new ArrayList<>(List.of(args));
        for (String d : List.of("--server.port=0", "--spring.main.banner-mode=off",
                "--spring.autoconfigure.exclude="
                        + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
                "--ebb.deregistration-delay=0s", "--ebb.termination-grace-period=60s")) {
            String name = d.substring(0, d.indexOf('=') + 1);
            if (all.stream().noneMatch(a -> a.startsWith(name))) {
                all.add(d);
            }
        }
        ConfigurableApplicationContext context = application.run(all.toArray(String[]::new));
        EbbCore ebb = context.getBean(EbbCore.class);
        ebb.onDraining(() -> HELD.forEach(f -> f.complete("done")));
        ebb.addListener(new EbbListener() {
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
        System.out.println("PORT " + ((WebServerApplicationContext) context).getWebServer().getPort());
    }
}
