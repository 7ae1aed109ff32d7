package dev.ebb.spring;

import dev.ebb.Ebb;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The WebFlux application the adapter contract runs against: the contract's paths, non-blocking, with the
 * SSE stream ended through {@link Ebb#onDraining(Runnable)} and an echo {@link WebSocketHandler}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ReactiveContractApplication.Endpoints.class)
class ReactiveContractApplication {

    /** Reactor Netty's WebSocket, although Jetty's (which Spring would pick first) is on the test class path. */
    @Bean
    WebFluxConfigurer reactorNettyWebSockets() {
        return new WebFluxConfigurer() {
            @Override
            public WebSocketService getWebSocketService() {
                return new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy());
            }
        };
    }

    @Bean
    HandlerMapping webSocketMapping() {
        return new SimpleUrlHandlerMapping(Map.of("/ws", echo()), -1);
    }

    /** Echoes every text message; with {@code ?push=N} also sends {@code tick} every N ms. */
    private static WebSocketHandler echo() {
        return session -> {
            URI uri = session.getHandshakeInfo().getUri();
            String push = UriComponentsBuilder.fromUri(uri).build().getQueryParams().getFirst("push");
            Flux<WebSocketMessage> out = session.receive()
                    .filter(m -> m.getType() == WebSocketMessage.Type.TEXT)
                    .map(m -> session.textMessage(m.getPayloadAsText()));
            if (push != null) {
                out = Flux.merge(out, Flux.interval(Duration.ofMillis(Long.parseLong(push)))
                        .map(i -> session.textMessage("tick"))
                        .takeUntilOther(session.closeStatus()));
            }
            return session.send(out);
        };
    }

    @RestController
    static class Endpoints {

        private final ObjectProvider<Ebb> ebb;
        private final CompletableFuture<Boolean> draining = new CompletableFuture<>();

        Endpoints(ObjectProvider<Ebb> ebb) {
            this.ebb = ebb;
            ebb.ifAvailable(e -> e.onDraining(() -> draining.complete(true)));
        }

        /** Ebb's probe paths, answered from its phase (the Actuator readiness group follows the same phase). */
        @GetMapping({ "/ready", "/live" })
        ResponseEntity<String> probe(org.springframework.http.server.reactive.ServerHttpRequest request) {
            Ebb e = ebb.getIfAvailable();
            int status = e instanceof dev.ebb.spi.EbbCore core ? core.probeStatus(request.getPath().value()) : 200;
            return ResponseEntity.status(status).body(status == 200 ? "UP" : "DOWN");
        }

        @RequestMapping(path = "/work", method = { RequestMethod.GET, RequestMethod.POST })
        Mono<String> work(@RequestParam(defaultValue = "0") long ms) {
            return Mono.delay(Duration.ofMillis(ms)).thenReturn("done");
        }

        @PostMapping("/echo")
        Mono<String> echo(@RequestBody(required = false) Mono<String> body) {
            return body.defaultIfEmpty("");
        }

        @GetMapping("/throw")
        String fail() {
            throw new IllegalStateException("thrown by the application");
        }

        @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
        Flux<ServerSentEvent<String>> events(@RequestParam(defaultValue = "100") long ms) {
            return Flux.interval(Duration.ofMillis(ms))
                    .map(i -> ServerSentEvent.builder("tick").build())
                    .takeUntilOther(Mono.fromFuture(draining, true));
        }
    }
}
