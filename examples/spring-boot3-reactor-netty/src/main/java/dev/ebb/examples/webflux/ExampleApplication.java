package dev.ebb.examples.webflux;

import dev.ebb.Ebb;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A Spring WebFlux application on Reactor Netty with Ebb:
 * {@code java -jar ebb-example-spring-boot3-reactor-netty.jar --port=8080}. {@code GET|POST /work?ms=N} answers
 * after N ms without blocking an event loop; {@code GET /events} streams a server-sent event every second until
 * Ebb begins draining; {@code GET /ws} is a WebSocket that echoes and ticks every second. Every {@code ebb.*}
 * setting works as a system property ({@code -Debb.deregistration-delay=5s}); {@code -Debb.enabled=false} gives
 * plain Spring Boot for comparison.
 */
@SpringBootApplication
public class ExampleApplication {

    private static final Duration TICK = Duration.ofSeconds(1);

    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }

    @RestController
    static class Endpoints {

        private final AtomicLong count = new AtomicLong();
        /** Completed when Ebb begins draining: the event streams end then, so that clients reconnect elsewhere. */
        private final CompletableFuture<Boolean> draining = new CompletableFuture<>();

        Endpoints(ObjectProvider<Ebb> ebb) {
            ebb.ifAvailable(e -> e.onDraining(() -> draining.complete(true)));
        }

        /** Answers 200 after {@code ms} milliseconds. */
        @RequestMapping(path = "/work", method = { RequestMethod.GET, RequestMethod.POST })
        Mono<String> work(@RequestParam(defaultValue = "0") long ms) {
            return Mono.delay(Duration.ofMillis(Math.max(0, ms))).thenReturn("done\n");
        }

        /** {@code data: tick N} every second until Ebb begins draining. */
        @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
        Flux<ServerSentEvent<String>> events() {
            return Flux.interval(TICK)
                    .map(i -> ServerSentEvent.builder("tick " + count.incrementAndGet()).build())
                    .takeUntilOther(Mono.fromFuture(draining, true));
        }
    }

    /** {@code GET /ws}: echoes every text message and sends {@code tick N} every second. */
    @Bean
    HandlerMapping webSocketMapping() {
        AtomicLong count = new AtomicLong();
        WebSocketHandler ticking = session -> {
            Flux<WebSocketMessage> echoes = session.receive()
                    .filter(m -> m.getType() == WebSocketMessage.Type.TEXT)
                    .map(m -> session.textMessage(m.getPayloadAsText()));
            Flux<WebSocketMessage> ticks = Flux.interval(TICK)
                    .map(i -> session.textMessage("tick " + count.incrementAndGet()))
                    .takeUntilOther(session.closeStatus());
            return session.send(Flux.merge(echoes, ticks));
        };
        return new SimpleUrlHandlerMapping(Map.of("/ws", ticking), -1);
    }
}
