package dev.ebb.spring;

import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/** What differs between Jetty 12.0, which this starter's Spring Boot brings, and the other starter's Jetty. */
final class JettySettings {

    private JettySettings() {
    }

    /** Copies what Jetty lets an application set on its HTTP/1.1 connection factory {@code from} to {@code to}. */
    static void copy(HttpConnectionFactory from, HttpConnectionFactory to) {
        to.setInputBufferSize(from.getInputBufferSize());
    }

    /** Configures a connection of {@code factory} as Jetty's own factory would. */
    static void configure(HttpConnectionFactory factory, HttpConnection connection) {
        // Jetty 12.0 has nothing to copy beyond the configuration the connection is built with.
    }
}
