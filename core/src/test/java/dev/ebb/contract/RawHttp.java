package dev.ebb.contract;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a plain {@link Socket}, so tests see exactly what goes over the wire:
 * headers, keep-alive, EOF and refused connects. Not thread-safe; one per connection.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int port;

    private RawHttp(Socket socket, int port) throws IOException {
        this.socket = socket;
        this.port = port;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Opens a connection to 127.0.0.1:{@code port}; reads time out after 30 s. */
    public static RawHttp connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(30_000);
        s.setTcpNoDelay(true);
        return new RawHttp(s, port);
    }

    /** Whether a connect to 127.0.0.1:{@code port} is refused now (the listener is closed). */
    public static boolean refuses(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends a GET for {@code path} and reads the response. */
    public Response get(String path) throws IOException {
        send("GET", path);
        return read();
    }

    /** Sends a request without a body ({@code POST} carries {@code Content-Length: 0}). */
    public RawHttp send(String method, String path) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n");
        if (method.equals("POST") || method.equals("PUT")) {
            sb.append("Content-Type: text/plain\r\nContent-Length: 4\r\n\r\nebb!");
        } else {
            sb.append("\r\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return this;
    }

    /** Reads one response; fails with {@link EOFException} if the server closes first. */
    public Response read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new EOFException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = l.substring(colon + 1).trim();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        byte[] body;
        String te = headers.get("transfer-encoding");
        String cl = headers.get("content-length");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            while (true) {
                String size = line();
                if (size == null) {
                    throw new EOFException("connection closed inside a chunked body");
                }
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    while ((l = line()) != null && !l.isEmpty()) {
                        // trailers
                    }
                    break;
                }
                buf.write(in.readNBytes(n));
                line();
            }
            body = buf.toByteArray();
        } else if (cl != null) {
            int n = Integer.parseInt(cl);
            body = in.readNBytes(n);
            if (body.length < n) {
                throw new EOFException("connection closed inside the body");
            }
        } else if (status == 204 || status == 304 || status / 100 == 1) {
            body = new byte[0];
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /**
     * Whether the server closes this connection within {@code within}: {@code true} on EOF or reset,
     * {@code false} if the connection is still open (no byte arrives) when the time is up.
     */
    public boolean closedByServerWithin(Duration within) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout((int) Math.max(1, within.toMillis()));
        try {
            int b = in.read();
            if (b >= 0) {
                throw new IOException("unexpected byte from the server: " + b);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(old);
            }
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = buf.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            buf.write(b);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * A response.
     *
     * @param status the status code
     * @param headers header names lower-cased
     * @param body the body as text
     */
    public record Response(int status, Map<String, String> headers, String body) {

        /** The header's value, or {@code null}. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** Whether the response asks to close the connection. */
        public boolean connectionClose() {
            String c = header("connection");
            return c != null && c.toLowerCase(Locale.ROOT).contains("close");
        }
    }
}
