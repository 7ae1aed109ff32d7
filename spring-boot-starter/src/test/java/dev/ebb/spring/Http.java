package dev.ebb.spring;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A minimal HTTP/1.1 client on raw sockets, to see exactly what the server sends. */
final class Http {

    private Http() {
    }

    record Response(int status, Map<String, String> headers, String body, boolean closedAfter) {

        boolean connectionClose() {
            return "close".equalsIgnoreCase(headers.get("connection"));
        }
    }

    /** Sends GET {@code path} on a new connection and reads the response. */
    static Response get(int port, String path) throws IOException {
        try (Socket socket = send(port, path)) {
            return read(socket);
        }
    }

    /** Opens a connection and sends GET {@code path} on it. */
    static Socket send(int port, String path) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(30_000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** Whether a connect to {@code port} is refused (the listener is closed). */
    static boolean refused(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads one response; when it asks to close the connection, also checks that the server did. */
    static Response read(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                // trailers
            }
        } else {
            body.write(in.readAllBytes());
        }
        boolean closedAfter = "close".equalsIgnoreCase(headers.get("connection")) && in.read() == -1;
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8), closedAfter);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c == -1) {
                throw new IOException("connection closed after \"" + sb + "\"");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
