package dev.ebb.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One-shot HTTP/1.1 GETs on a fresh connection, for probes: what a load balancer's health check does. */
public final class Http {

    private Http() {
    }

    /** The status of {@code GET path} on 127.0.0.1:{@code port}, or -1 if the connection failed. */
    public static int status(int port, String path) {
        String body = get(port, path);
        if (body == null || !body.startsWith("HTTP/1.")) {
            return -1;
        }
        int sp = body.indexOf(' ');
        try {
            return Integer.parseInt(body.substring(sp + 1, sp + 4));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The whole response (status line, headers and body) of {@code GET path}, or {@code null} on failure. */
    public static String get(int port, String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(2000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null;
        }
    }
}
