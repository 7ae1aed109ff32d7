package dev.ebb.spring;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The application of the real-server tests: works on Spring MVC and on WebFlux. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(TestApplication.Work.class)
class TestApplication {

    /** Responses of {@code /work?hold=true}, which the test completes. */
    static final BlockingQueue<CompletableFuture<String>> HELD = new LinkedBlockingQueue<>();

    @RestController
    static class Work {

        @GetMapping("/work")
        CompletableFuture<String> work(@RequestParam(defaultValue = "false") boolean hold) {
            if (!hold) {
                return CompletableFuture.completedFuture("done");
            }
            CompletableFuture<String> response = new CompletableFuture<>();
            HELD.add(response);
            return response;
        }

        @GetMapping("/sync")
        String sync() {
            return "done";
        }
    }
}
