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
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

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
        this.in = new java.io.BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens a connection to 127.0.0.1:{@code port}; reads time out after 30 s. */
    public static RawHttp connect(int port) throws IOException {
        return connect(port, false);
    }

    /** Opens a connection to {@code server}, over TLS (HTTP/1.1 by ALPN) when it serves TLS. */
    public static RawHttp connect(AdapterContract.RunningServer server) throws IOException {
        return connect(server.port(), server.tls());
    }

    /**
     * Opens a connection to 127.0.0.1:{@code port}, over TLS trusting {@link TestTls}'s certificate when
     * {@code tls}; reads time out after 30 s.
     */
    public static RawHttp connect(int port, boolean tls) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(30_000);
        s.setTcpNoDelay(true);
        if (tls) {
            SSLSocket ssl = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket(s, "localhost", port, true);
            var params = ssl.getSSLParameters();
            params.setApplicationProtocols(new String[] {"http/1.1"});
            params.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(params);
            ssl.startHandshake();
            return new RawHttp(ssl, port);
        }
        return new RawHttp(s, port);
    }

    /** Writes {@code bytes} as they are (several pipelined requests, a partial body). */
    public RawHttp write(String bytes) throws IOException {
        out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Closes the connection with a TCP reset (SO_LINGER 0) rather than a FIN. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** The {@code Host} header line's value for this connection. */
    public String host() {
        return "127.0.0.1:" + port;
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

    /**
     * Reads one WebSocket frame the server sent (unmasked, payload under 126 bytes) and returns its close
     * status if it is a close frame, else -1; fails with {@link EOFException} if the connection ends first.
     */
    public int readWebSocketCloseStatus() throws IOException {
        byte[] head = in.readNBytes(2);
        if (head.length < 2) {
            throw new EOFException("connection closed before a WebSocket frame");
        }
        byte[] payload = in.readNBytes(head[1] & 0x7f);
        boolean close = (head[0] & 0x0f) == 0x8;
        return close && payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
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

    /**
     * Reads a response's status line and headers only, leaving its body to {@link #readChunk()}; fails with
     * {@link EOFException} if the server closes first. The returned response's body is empty.
     */
    public Response readHead() throws IOException {
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
        return new Response(status, headers, "");
    }

    /**
     * Reads the next chunk of a chunked body as text, or {@code null} at the body's clean end (the last
     * chunk); fails with {@link EOFException} when the connection ends inside the body.
     */
    public String readChunk() throws IOException {
        String size = line();
        if (size == null) {
            throw new EOFException("connection closed inside a chunked body");
        }
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
            String l;
            while ((l = line()) != null && !l.isEmpty()) {
                // trailers
            }
            return null;
        }
        byte[] data = in.readNBytes(n);
        if (data.length < n) {
            throw new EOFException("connection closed inside a chunk");
        }
        line();
        return new String(data, StandardCharsets.UTF_8);
    }

    /** Reads one response; fails with {@link EOFException} if the server closes first. */
    public Response read() throws IOException {
        Response head = readHead();
        int status = head.status();
        Map<String, String> headers = head.headers();
        String l;
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
        } catch (SocketException | SSLException e) {
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(old);
            }
        }
    }

    /**
     * Whether the server answers (a byte arrives, left unread) or closes this connection within
     * {@code within}; {@code false} if nothing happens in that time.
     */
    public boolean answersOrClosesWithin(Duration within) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout((int) Math.max(1, within.toMillis()));
        try {
            in.mark(1);
            int b = in.read();
            if (b >= 0) {
                in.reset();
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException | SSLException e) {
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
