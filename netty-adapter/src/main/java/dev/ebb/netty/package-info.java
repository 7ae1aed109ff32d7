/**
 * Ebb for Netty 4.2 HTTP/1.1 and HTTP/2 (h2c) servers: {@link dev.ebb.netty.EbbNetty}.
 */
package dev.ebb.netty;
