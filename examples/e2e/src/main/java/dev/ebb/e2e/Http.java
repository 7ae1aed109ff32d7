package dev.ebb.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One-shot HTTP/1.1 GETs on a fresh connection, for probes: what a load balancer's health check does. */
public final class Http {

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\ncontent-length:\\s*(\\d+)");

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

    /**
     * The whole response (status line, headers and body) of {@code GET path}, or {@code null} on failure. The
     * body is read by its {@code Content-Length}, so a server that keeps the connection open anyway still answers.
     */
    public static String get(int port, String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(2000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                int c = in.read();
                if (c < 0) {
                    return head.length() == 0 ? null : head.toString();
                }
                head.append((char) c);
            }
            Matcher m = CONTENT_LENGTH.matcher(head);
            byte[] body = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : in.readAllBytes();
            return head + new String(body, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null;
        }
    }
}
