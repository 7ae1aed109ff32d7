import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor of the idle-close figure on this machine: a bare server, no HTTP library and no Ebb, that answers one
 * request on each connection it accepts and, on SIGTERM, closes every accepted socket from one thread in a tight
 * loop (a plain {@code close()}: a FIN). {@code DrainBench idle-close floor N} runs it under the same client as the
 * example apps; it logs {@code floor: CLOSING} (the start of the measure, like Ebb's DEREGISTERING line) and
 * {@code floor: CLOSED}.
 *
 * <pre>java CloseFloor.java --port=PORT</pre>
 */
public final class CloseFloor {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0].substring("--port=".length()));
        List<SocketChannel> accepted = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<SocketChannel> all;
            synchronized (accepted) {
                all = new ArrayList<>(accepted);
            }
            log("floor: CLOSING " + all.size());
            for (SocketChannel ch : all) {
                try {
                    ch.close();
                } catch (IOException e) {
                    // already gone
                }
            }
            log("floor: CLOSED " + all.size());
        }));
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", port), 1024);
        ByteBuffer in = ByteBuffer.allocate(4096);
        while (true) {
            SocketChannel ch = server.accept();
            in.clear();
            String request = "";
            while (!request.contains("\r\n\r\n")) {
                if (ch.read(in) < 0) {
                    break;
                }
                request = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
            }
            if (request.startsWith("GET /ready")) { // DrainBench's readiness check: answer and close
                ch.write(ByteBuffer.wrap(RESPONSE));
                ch.close();
                continue;
            }
            ch.write(ByteBuffer.wrap(RESPONSE));
            synchronized (accepted) {
                accepted.add(ch);
            }
        }
    }

    private static void log(String line) {
        System.out.println(LocalTime.now().format(TIME) + " " + line);
        System.out.flush();
    }
}
