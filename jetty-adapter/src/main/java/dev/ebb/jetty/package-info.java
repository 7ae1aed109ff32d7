/**
 * Ebb for Jetty 12.1 and 12.0: {@link dev.ebb.jetty.EbbJetty#install(org.eclipse.jetty.server.Server, dev.ebb.EbbConfig)}.
 * Works on the core {@code Handler} API, so it covers plain core handlers and servlet contexts (ee10/ee11 on
 * 12.1, ee10 on 12.0) alike.
 */
package dev.ebb.jetty;
