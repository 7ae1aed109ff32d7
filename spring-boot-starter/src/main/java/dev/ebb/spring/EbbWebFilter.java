package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
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
 * {@code Connection: close} while Ebb deregisters. First in the WebFlux filter chain. Thread-safe.
 */
final class EbbWebFilter implements WebFilter, Ordered {

    private static final boolean REACTOR_NETTY =
            ClassUtils.isPresent("reactor.netty.http.server.HttpServerRequest", EbbWebFilter.class.getClassLoader());
    private static final boolean SERVLET =
            ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest", EbbWebFilter.class.getClassLoader());

    private final EbbCore core;

    EbbWebFilter(EbbCore core) {
        this.core = core;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!http2(exchange.getRequest())) {
            ServerHttpResponse response = exchange.getResponse();
            response.beforeCommit(() -> {
                if (core.closeConnection()) {
                    response.getHeaders().set(HttpHeaders.CONNECTION, "close");
                }
                return Mono.empty();
            });
        }
        return chain.filter(exchange)
                .doFirst(core::requestStarted)
                .doFinally(signal -> core.requestFinished());
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    private static boolean http2(ServerHttpRequest request) {
        Object nativeRequest;
        try {
            nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (REACTOR_NETTY && nativeRequest instanceof HttpServerRequest reactor) {
            return reactor.version().majorVersion() >= 2;
        }
        if (SERVLET && nativeRequest instanceof HttpServletRequest servlet) {
            return servlet.getProtocol().startsWith("HTTP/2");
        }
        return false;
    }
}
