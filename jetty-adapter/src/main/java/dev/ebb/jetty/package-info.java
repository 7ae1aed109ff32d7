/**
 * Ebb for Jetty 12.1: {@link dev.ebb.jetty.EbbJetty#install(org.eclipse.jetty.server.Server, dev.ebb.EbbConfig)}.
 * Works on the core {@code Handler} API, so it covers plain core handlers and ee10/ee11 servlet contexts alike.
 */
package dev.ebb.jetty;
