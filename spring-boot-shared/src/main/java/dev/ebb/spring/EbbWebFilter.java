package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.ClassUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Counts requests for Ebb and, just before an HTTP/1 response is committed, adds
 * {@code Connection: close} while Ebb deregisters, except on a WebSocket handshake being accepted (a
 * {@code 101} must stay clean). A request that asked for a WebSocket upgrade tells the server's
 * {@link BootServerAdapter.Connections} when it completes, which tracks the upgraded connection. First in
 * the WebFlux filter chain. Thread-safe.
 */
final class EbbWebFilter implements WebFilter, Ordered, ApplicationContextAware {

    private static final boolean REACTOR_NETTY =
            ClassUtils.isPresent("reactor.netty.http.server.HttpServerRequest", EbbWebFilter.class.getClassLoader());
    private static final boolean SERVLET =
            ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest", EbbWebFilter.class.getClassLoader());

    private final EbbCore core;
    private final BootServerAdapter adapter;
    /** The application's context; a child's (the management server's) requests are not the application's. */
    private volatile ApplicationContext owner;

    private final HealthChecks healthChecks;

    EbbWebFilter(EbbCore core, BootServerAdapter adapter, HealthChecks healthChecks) {
        this.core = core;
        this.adapter = adapter;
        this.healthChecks = healthChecks;
    }

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.owner = applicationContext;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ApplicationContext served = exchange.getApplicationContext();
        if (served != null && served != owner) {
            // A child context's server (a separate management port) picks up the parent's WebFilters too.
            return chain.filter(exchange);
        }
        ServerHttpRequest request = exchange.getRequest();
        boolean webSocket = "websocket".equalsIgnoreCase(request.getHeaders().getFirst(HttpHeaders.UPGRADE));
        if (http2(request)) {
            if (core.closing()) {
                adapter.connections().http2RequestWhileClosing(nativeRequest(request));
            }
        } else {
            ServerHttpResponse response = exchange.getResponse();
            response.beforeCommit(() -> {
                if (!(webSocket && switching(response)) && core.closeConnection()) {
                    response.getHeaders().set(HttpHeaders.CONNECTION, "close");
                }
                return Mono.empty();
            });
        }
        if (healthChecks.matches(request.getPath().value())) {
            return chain.filter(exchange); // not the load balancer's traffic: not counted
        }
        if (webSocket) {
            return chain.filter(exchange)
                    .doFirst(core::requestStarted)
                    .doFinally(signal -> {
                        adapter.connections().upgradeCompleted(nativeRequest(request));
                        core.requestFinished();
                    });
        }
        return chain.filter(exchange)
                .doFirst(core::requestStarted)
                .doFinally(signal -> core.requestFinished());
    }

    /** Whether a response to a WebSocket handshake is the upgrade (no status set by the application, or 101). */
    private static boolean switching(ServerHttpResponse response) {
        HttpStatusCode status = response.getStatusCode();
        return status == null || status.value() == HttpStatus.SWITCHING_PROTOCOLS.value();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    private static Object nativeRequest(ServerHttpRequest request) {
        try {
            return ServerHttpRequestDecorator.getNativeRequest(request);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean http2(ServerHttpRequest request) {
        Object nativeRequest = nativeRequest(request);
        if (REACTOR_NETTY && nativeRequest instanceof HttpServerRequest reactor) {
            return reactor.version().majorVersion() >= 2;
        }
        if (SERVLET && nativeRequest instanceof HttpServletRequest servlet) {
            return servlet.getProtocol().startsWith("HTTP/2");
        }
        return false;
    }
}
