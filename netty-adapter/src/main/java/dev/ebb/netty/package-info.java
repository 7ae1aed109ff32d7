/**
 * Ebb for Netty 4.2 and 4.1 HTTP/1.1, HTTP/2 (TLS with ALPN, or h2c) and WebSocket servers: {@link dev.ebb.netty.EbbNetty}.
 */
package dev.ebb.netty;
