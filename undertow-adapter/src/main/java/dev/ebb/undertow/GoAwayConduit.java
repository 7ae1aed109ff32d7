package dev.ebb.undertow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.ConduitWritableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSinkConduit;

/**
 * The write side of an HTTP/2 connection Ebb opened, below Undertow's {@code Http2Channel}: it follows the
 * frame boundaries of what Undertow writes and, when asked (and not inside a header block, which only
 * CONTINUATION frames may interrupt), puts one graceful GOAWAY frame (NO_ERROR,
 * last-stream-id 2^31-1) between two of Undertow's frames, which Undertow (2.3 and 2.4) cannot send itself (its
 * {@code sendGoAway} names the last stream taken and closes the connection). A GOAWAY changes no
 * connection state that Undertow's frames depend on (no HPACK, no flow control).
 *
 * <p>Undertow writes frames under the {@code Http2Channel}'s monitor; {@link #goAway()} must be called under
 * it too, and the frame goes out with Undertow's next write.
 */
final class GoAwayConduit extends AbstractStreamSinkConduit<StreamSinkConduit> {

    private static final int HEADER = 9;
    private static final int FRAME_HEADERS = 0x1;
    private static final int FRAME_PUSH_PROMISE = 0x5;
    private static final int FRAME_CONTINUATION = 0x9;
    private static final int FLAG_END_HEADERS = 0x4;

    /** Bytes of the current frame header seen so far (0 at a frame boundary, when payloadLeft is 0). */
    private int headerSeen;
    private int length;
    private int type;
    private int flags;
    /** Inside a header block (HEADERS or PUSH_PROMISE without END_HEADERS): only CONTINUATION may follow. */
    private boolean inHeaderBlock;
    private long payloadLeft;
    private boolean started;
    private ByteBuffer pending;
    private int[] starts = new int[8];

    GoAwayConduit(StreamSinkConduit next) {
        super(next);
    }

    /**
     * Sends the graceful GOAWAY with the next write, unless Undertow has written no frame yet (its SETTINGS
     * must come first); whether it will. Call under the {@code Http2Channel}'s monitor.
     */
    boolean goAway() {
        if (!started) {
            return false;
        }
        ByteBuffer frame = ByteBuffer.allocate(HEADER + 8);
        frame.put((byte) 0).put((byte) 0).put((byte) 8) // length
                .put((byte) 0x07) // type GOAWAY
                .put((byte) 0) // flags
                .putInt(0) // stream 0
                .putInt(Integer.MAX_VALUE) // last-stream-id
                .putInt(0); // NO_ERROR
        frame.flip();
        pending = frame;
        return true;
    }

    /** Writes the pending GOAWAY if at a frame boundary; whether Undertow's bytes may go now. */
    private boolean flushPending() throws IOException {
        ByteBuffer frame = pending;
        if (frame == null || headerSeen != 0 || payloadLeft != 0 || inHeaderBlock) {
            return true;
        }
        next.write(frame);
        if (frame.hasRemaining()) {
            return false;
        }
        pending = null;
        return true;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!flushPending()) {
            return 0;
        }
        int start = src.position();
        int n = next.write(src);
        if (n > 0) {
            follow(src, start, n);
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
        if (!flushPending()) {
            return 0;
        }
        if (starts.length < len) {
            starts = new int[Math.max(len, starts.length * 2)];
        }
        for (int i = 0; i < len; i++) {
            starts[i] = srcs[offs + i].position();
        }
        long n = next.write(srcs, offs, len);
        for (int i = 0; i < len && n > 0; i++) {
            ByteBuffer b = srcs[offs + i];
            int written = b.position() - starts[i];
            if (written > 0) {
                follow(b, starts[i], written);
            }
        }
        return n;
    }

    /** Advances the frame parser over {@code n} bytes of {@code b} written from {@code from}. */
    private void follow(ByteBuffer b, int from, int n) {
        int i = from;
        int end = from + n;
        while (i < end) {
            if (payloadLeft > 0) {
                int skip = (int) Math.min(payloadLeft, end - i);
                payloadLeft -= skip;
                i += skip;
                continue;
            }
            int v = b.get(i++) & 0xFF;
            if (headerSeen < 3) {
                length = (length << 8) | v;
            } else if (headerSeen == 3) {
                type = v;
            } else if (headerSeen == 4) {
                flags = v;
            }
            headerSeen++;
            if (headerSeen == HEADER) {
                started = true;
                if (type == FRAME_HEADERS || type == FRAME_PUSH_PROMISE || type == FRAME_CONTINUATION) {
                    inHeaderBlock = (flags & FLAG_END_HEADERS) == 0;
                }
                payloadLeft = length;
                headerSeen = 0;
                length = 0;
            }
        }
    }

    @Override
    public int writeFinal(ByteBuffer src) throws IOException {
        return Conduits.writeFinalBasic(this, src);
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
        return Conduits.writeFinalBasic(this, srcs, offs, len);
    }

    @Override
    public long transferFrom(FileChannel src, long position, long count) throws IOException {
        return src.transferTo(position, count, new ConduitWritableByteChannel(this));
    }

    @Override
    public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
        return Conduits.transfer(source, count, throughBuffer, this);
    }
}
