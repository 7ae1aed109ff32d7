package dev.ebb.examples.springboot3;

import dev.ebb.Ebb;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * A Spring MVC application on Tomcat with Ebb: {@code java -jar ebb-example-spring-boot.jar --port=8080}.
 * {@code GET|POST /work?ms=N} answers after N ms; {@code GET /events} streams a server-sent event every second
 * until Ebb begins draining; {@code GET /ws} is a Spring WebSocket that echoes and ticks every second.
 * Every {@code ebb.*} setting works as a system property ({@code -Debb.deregistration-delay=5s});
 * {@code -Debb.enabled=false} gives plain Spring Boot for comparison.
 */
@SpringBootApplication
@EnableScheduling
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

    /** {@code GET /events}: {@code data: tick N} every second until Ebb begins draining. */
    @RestController
    static class EventsController {

        private final Set<SseEmitter> open = ConcurrentHashMap.newKeySet();
        private final AtomicLong count = new AtomicLong();

        /** With Ebb, the streams end when DRAINING begins, so their clients reconnect to an instance that stays. */
        EventsController(ObjectProvider<Ebb> ebb) {
            ebb.ifAvailable(e -> e.onDraining(this::endAll));
        }

        @GetMapping("/events")
        SseEmitter events() {
            SseEmitter emitter = new SseEmitter(0L); // no timeout: the stream lasts until it is ended
            open.add(emitter);
            emitter.onCompletion(() -> open.remove(emitter));
            emitter.onError(e -> open.remove(emitter));
            return emitter;
        }

        @Scheduled(fixedRate = 1000)
        void tick() {
            String tick = "tick " + count.incrementAndGet();
            for (SseEmitter emitter : open) {
                try {
                    emitter.send(SseEmitter.event().data(tick));
                } catch (IOException | IllegalStateException e) {
                    open.remove(emitter); // the client went away
                }
            }
        }

        void endAll() {
            open.forEach(SseEmitter::complete);
        }
    }

    @Configuration
    @EnableWebSocket
    static class WebSocketConfig {

        @Bean
        TickingHandler tickingHandler() {
            return new TickingHandler();
        }

        @Bean
        WebSocketConfigurer webSockets(TickingHandler handler) {
            return registry -> registry.addHandler(handler, "/ws");
        }
    }

    /** {@code GET /ws}: echoes every text message and sends {@code tick N} every second. */
    static class TickingHandler extends TextWebSocketHandler {

        /** Open sessions by id, each wrapped in a decorator that serializes the echoes and the ticks. */
        private final Map<String, WebSocketSession> open = new ConcurrentHashMap<>();
        private final AtomicLong count = new AtomicLong();

        @Override
        public void afterConnectionEstablished(WebSocketSession session) {
            open.put(session.getId(), new ConcurrentWebSocketSessionDecorator(session, 10_000, 1 << 16));
        }

        @Override
        protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
            WebSocketSession s = open.get(session.getId());
            if (s != null) {
                s.sendMessage(new TextMessage(message.getPayload()));
            }
        }

        @Override
        public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
            open.remove(session.getId());
        }

        @Scheduled(fixedRate = 1000)
        void tick() {
            TextMessage tick = new TextMessage("tick " + count.incrementAndGet());
            for (WebSocketSession s : open.values()) {
                try {
                    if (s.isOpen()) {
                        s.sendMessage(tick);
                    }
                } catch (IOException | IllegalStateException e) {
                    open.remove(s.getId());
                }
            }
        }
    }
}
