package dev.ebb.examples.springboot;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring MVC application on Tomcat with Ebb: {@code java -jar ebb-example-spring-boot.jar --port=8080}.
 * Every {@code ebb.*} setting works as a system property ({@code -Debb.deregistration-delay=5s});
 * {@code -Debb.enabled=false} gives plain Spring Boot for comparison.
 */
@SpringBootApplication
public class ExampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }

    @RestController
    static class WorkController {

        /** Answers 200 after {@code ms} milliseconds without holding a request thread. */
        @RequestMapping(path = "/work", method = { RequestMethod.GET, RequestMethod.POST })
        CompletableFuture<String> work(@RequestParam(defaultValue = "0") long ms) {
            return CompletableFuture.supplyAsync(() -> "done\n",
                    CompletableFuture.delayedExecutor(Math.max(0, ms), TimeUnit.MILLISECONDS));
        }
    }
}
