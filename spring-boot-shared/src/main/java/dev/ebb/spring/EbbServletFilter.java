package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Counts requests for Ebb and asks peers to close their connection while Ebb deregisters. Registered
 * first in the chain for the REQUEST, ASYNC and ERROR dispatches: a request is counted on its REQUEST
 * dispatch and finished when that returns, or, for an async request, when its {@link AsyncListener}
 * sees it complete. {@code Connection: close} is set on HTTP/1 before the chain runs and set again
 * after each dispatch if still uncommitted (an application's {@code reset()} or an error page may have
 * cleared it), except on an upgrade request, whose 101 must switch cleanly. Once Ebb is shutting down it
 * also answers Ebb's probe paths itself. Health checks ({@link HealthChecks}) are not counted. Thread-safe; no allocation per request.
 */
final class EbbServletFilter implements Filter, AsyncListener {

    private static final String CONNECTION = "Connection";
    private static final String CLOSE = "close";
    private static final String UPGRADE = "Upgrade";
    private static final String CLOSED = EbbServletFilter.class.getName() + ".closed";

    private final EbbCore core;
    private final HealthChecks healthChecks;

    EbbServletFilter(EbbCore core, HealthChecks healthChecks) {
        this.core = core;
        this.healthChecks = healthChecks;
    }

    /** The filter's registration: first in the chain, for the REQUEST, ASYNC and ERROR dispatches. */
    static FilterRegistrationBean<EbbServletFilter> registration(EbbCore ebb, Environment environment) {
        FilterRegistrationBean<EbbServletFilter> registration = new FilterRegistrationBean<>(
                new EbbServletFilter(ebb, HealthChecks.of(ebb.config(), environment)));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
        registration.setAsyncSupported(true);
        return registration;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        boolean first = request.getDispatcherType() == DispatcherType.REQUEST;
        // A health check is not the load balancer's traffic: not counted.
        boolean counted = first && !(request instanceof HttpServletRequest http && healthChecks.matches(http.getRequestURI()));
        boolean http1 = !request.getProtocol().startsWith("HTTP/2");
        if (counted) {
            core.requestStarted();
        }
        if (http1) {
            close(request, response);
        }
        if (first && probe(request, response)) {
            if (counted) {
                core.requestFinished();
            }
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            if (http1) {
                close(request, response);
            }
            if (counted) {
                if (request.isAsyncStarted()) {
                    request.getAsyncContext().addListener(this);
                } else {
                    core.requestFinished();
                }
            }
        }
    }

    /**
     * Adds {@code Connection: close} to an uncommitted response while Ebb says so; core counts each
     * response once, later dispatches only put back a header lost to a reset.
     */
    private void close(ServletRequest request, ServletResponse response) {
        if (!core.closing() || response.isCommitted() || !(response instanceof HttpServletResponse http)
                || upgrade(request, http)) {
            return;
        }
        if (request.getAttribute(CLOSED) != null) {
            if (!http.containsHeader(CONNECTION)) {
                http.setHeader(CONNECTION, CLOSE);
            }
        } else if (core.closeConnection()) {
            http.setHeader(CONNECTION, CLOSE);
            request.setAttribute(CLOSED, Boolean.TRUE);
        }
    }

    /**
     * Answers Ebb's probe paths itself once Ebb is shutting down (readiness 503 at once, liveness 200),
     * whatever serves them while serving (e.g. Actuator's health groups, which learn of the shutdown later).
     */
    private boolean probe(ServletRequest request, ServletResponse response) throws IOException {
        int status;
        if (core.closing() && request instanceof HttpServletRequest http && response instanceof HttpServletResponse out
                && (status = core.probeStatus(http.getRequestURI())) != 0) {
            out.setStatus(status);
            out.setContentLength(0);
            out.flushBuffer();
            return true;
        }
        return false;
    }

    /** An upgrade request (e.g. a WebSocket handshake) or its 101: never told to close, the switch must succeed. */
    private static boolean upgrade(ServletRequest request, HttpServletResponse response) {
        return response.getStatus() == HttpServletResponse.SC_SWITCHING_PROTOCOLS
                || request instanceof HttpServletRequest http && http.getHeader(UPGRADE) != null;
    }

    @Override
    public void onComplete(AsyncEvent event) {
        core.requestFinished();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        // onComplete follows.
    }

    @Override
    public void onError(AsyncEvent event) {
        // onComplete follows.
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Async restarted from an async dispatch: listeners must register again.
        event.getAsyncContext().addListener(this);
    }
}
