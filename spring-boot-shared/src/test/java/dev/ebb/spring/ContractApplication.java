package dev.ebb.spring;

import dev.ebb.Ebb;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.RequestUpgradeStrategy;
import org.springframework.web.socket.server.jetty.JettyRequestUpgradeStrategy;
import org.springframework.web.socket.server.standard.StandardWebSocketUpgradeStrategy;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The application the adapter contract runs against on Spring MVC: async {@code /work}, {@code /echo},
 * {@code /throw}, an SSE stream ended through {@link Ebb#onDraining(Runnable)} and a Spring WebSocket.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
@Import(ContractApplication.Endpoints.class)
class ContractApplication implements WebSocketConfigurer, EnvironmentAware {

    /** The property naming the server under test, {@code tomcat} or {@code jetty}: Spring picks the upgrade by it. */
    static final String SERVER = "contract.server";

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService contractTimer() {
        return Executors.newScheduledThreadPool(2);
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        RequestUpgradeStrategy upgrade = "jetty".equals(environment.getProperty(SERVER))
                ? new JettyRequestUpgradeStrategy() : new StandardWebSocketUpgradeStrategy();
        registry.addHandler(new Echo(contractTimer()), "/ws").setHandshakeHandler(new DefaultHandshakeHandler(upgrade));
    }

    @RestController
    static class Endpoints {

        private final ScheduledExecutorService timer;
        private final Set<ResponseBodyEmitter> streams = ConcurrentHashMap.newKeySet();

        Endpoints(ScheduledExecutorService timer, ObjectProvider<Ebb> ebb) {
            this.timer = timer;
            ebb.ifAvailable(e -> e.onDraining(this::endStreams));
        }

        @RequestMapping(path = "/work", method = { RequestMethod.GET, RequestMethod.POST })
        DeferredResult<String> work(@RequestParam(defaultValue = "0") long ms) {
            DeferredResult<String> result = new DeferredResult<>(0L);
            timer.schedule(() -> result.setResult("worked " + ms + " ms"), ms, TimeUnit.MILLISECONDS);
            return result;
        }

        @PostMapping("/echo")
        String echo(@RequestBody(required = false) String body) {
            return body == null ? "" : body;
        }

        @GetMapping("/throw")
        String fail() {
            throw new IllegalStateException("the application's handler failed");
        }

        /** Each event is one write (one chunk), as Spring Framework 7's {@code SseEmitter} does and 6's does not. */
        @GetMapping(path = "/events")
        ResponseEntity<ResponseBodyEmitter> events(@RequestParam(defaultValue = "100") long ms) {
            ResponseBodyEmitter emitter = new ResponseBodyEmitter(0L);
            streams.add(emitter);
            ScheduledFuture<?> ticks = timer.scheduleAtFixedRate(() -> {
                try {
                    emitter.send("data:tick\n\n", MediaType.TEXT_PLAIN);
                } catch (IOException | IllegalStateException e) {
                    streams.remove(emitter);
                    throw new IllegalStateException("stream over", e);
                }
            }, 0, ms, TimeUnit.MILLISECONDS);
            emitter.onCompletion(() -> {
                ticks.cancel(false);
                streams.remove(emitter);
            });
            emitter.onError(e -> ticks.cancel(false));
            return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(emitter);
        }

        private void endStreams() {
            for (ResponseBodyEmitter emitter : streams) {
                emitter.complete();
            }
        }
    }

    /** Echoes every text message; with {@code ?push=N} also sends {@code tick} every N ms. */
    static final class Echo extends TextWebSocketHandler {

        private final ScheduledExecutorService timer;
        private final Map<String, ScheduledFuture<?>> pushes = new ConcurrentHashMap<>();

        Echo(ScheduledExecutorService timer) {
            this.timer = timer;
        }

        @Override
        public void afterConnectionEstablished(WebSocketSession session) {
            String push = session.getUri() == null ? null
                    : UriComponentsBuilder.fromUri(session.getUri()).build().getQueryParams().getFirst("push");
            if (push != null) {
                long ms = Long.parseLong(push);
                pushes.put(session.getId(), timer.scheduleAtFixedRate(() -> send(session, "tick"), ms, ms,
                        TimeUnit.MILLISECONDS));
            }
        }

        @Override
        protected void handleTextMessage(WebSocketSession session, TextMessage message) {
            send(session, message.getPayload());
        }

        @Override
        public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
            ScheduledFuture<?> push = pushes.remove(session.getId());
            if (push != null) {
                push.cancel(false);
            }
        }

        private static void send(WebSocketSession session, String text) {
            synchronized (session) {
                try {
                    if (session.isOpen()) {
                        session.sendMessage(new TextMessage(text));
                    }
                } catch (IOException | IllegalStateException e) {
                    // the peer went away
                }
            }
        }
    }
}
