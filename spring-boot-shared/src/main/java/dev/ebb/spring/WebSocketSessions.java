package dev.ebb.spring;

import dev.ebb.spi.EbbCore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerAdapter;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * The Spring WebSockets of a servlet application, for Ebb: once {@link #track(boolean)} is called, every
 * WebSocket endpoint mapped by Spring ({@link WebSocketHttpRequestHandler}) is served through a copy whose
 * handler also tracks its sessions, and at DRAINING every open session is closed with 1001 (going away)
 * through the server's own WebSocket implementation ({@link #goingAway()}). Used on Jetty, whose WebSocket
 * sessions Ebb cannot reach from the connection (Tomcat is told through its connections). When counting, a
 * handshake answered with 101 counts an upgraded connection ({@link EbbCore#upgradeOpened()}) before the
 * request is finished and the session's close ends it ({@link EbbCore#upgradeClosed()}). SockJS endpoints
 * are not tracked. Thread-safe.
 */
final class WebSocketSessions implements HandlerAdapter, Ordered, BootServerAdapter.WebSockets {

    private static final Logger log = LoggerFactory.getLogger(WebSocketSessions.class);

    private final EbbCore core;
    private final Set<WebSocketSession> open = ConcurrentHashMap.newKeySet();
    private final Map<WebSocketHttpRequestHandler, WebSocketHttpRequestHandler> tracking = new ConcurrentHashMap<>();
    private volatile boolean tracked;
    private volatile boolean counting;

    WebSocketSessions(EbbCore core) {
        this.core = core;
    }

    /**
     * Tracks sessions from now on, to tell them 1001; {@code count}: also reports them to Ebb as upgraded
     * connections (when the server itself does not).
     */
    @Override
    public void track(boolean count) {
        counting = count;
        tracked = true;
    }

    @Override
    public boolean supports(Object handler) {
        return tracked && handler instanceof WebSocketHttpRequestHandler;
    }

    @Override
    public ModelAndView handle(HttpServletRequest request, HttpServletResponse response, Object handler) throws Exception {
        tracking.computeIfAbsent((WebSocketHttpRequestHandler) handler, this::tracking).handleRequest(request, response);
        if (counting && response.getStatus() == HttpServletResponse.SC_SWITCHING_PROTOCOLS) {
            core.upgradeOpened();
        }
        return null;
    }

    /**
     * Spring Framework 6's {@code HandlerAdapter} still asks for it (7 dropped it, hence no {@code @Override}):
     * a WebSocket handshake has no last-modified time.
     */
    @Deprecated
    public long getLastModified(HttpServletRequest request, Object handler) {
        return -1;
    }

    private WebSocketHttpRequestHandler tracking(WebSocketHttpRequestHandler mapped) {
        WebSocketHttpRequestHandler copy = new WebSocketHttpRequestHandler(new Tracked(mapped.getWebSocketHandler()),
                mapped.getHandshakeHandler());
        copy.setHandshakeInterceptors(mapped.getHandshakeInterceptors());
        return copy;
    }

    @Override
    public int goingAway() {
        int sent = 0;
        for (WebSocketSession session : open) {
            try {
                session.close(CloseStatus.GOING_AWAY);
                sent++;
            } catch (IOException | RuntimeException e) {
                log.debug("ebb: could not close WebSocket session {}", session.getId(), e);
            }
        }
        return sent;
    }

    /** Open sessions now. */
    int openSessions() {
        return open.size();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    /** The application's handler, with its sessions tracked. */
    private final class Tracked extends WebSocketHandlerDecorator {

        Tracked(WebSocketHandler delegate) {
            super(delegate);
        }

        @Override
        public void afterConnectionEstablished(WebSocketSession session) throws Exception {
            open.add(session);
            super.afterConnectionEstablished(session);
        }

        @Override
        public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
            try {
                super.afterConnectionClosed(session, closeStatus);
            } finally {
                if (open.remove(session) && counting) {
                    core.upgradeClosed();
                }
            }
        }
    }
}
