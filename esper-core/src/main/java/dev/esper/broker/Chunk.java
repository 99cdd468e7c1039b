package dev.esper.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Bytes of an SSE stream, ready for a subscriber's socket: one or more whole event frames (coalesced
 * when several were waiting), an opening comment, or a heartbeat. A chunk holding a single event shares
 * its bytes with every other subscriber of the topic, so a chunk's content is never handed out mutable:
 * write it with {@link #writeTo(OutputStream)} or read it through {@link #asByteBuffer()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Chunk {
    /** Never modified; package-private so the broker can coalesce frames without a copy per read. */
    final byte[] bytes;
    private final int events;

    Chunk(byte[] bytes, int events) {
        this.bytes = bytes;
        this.events = events;
    }

    /** Number of bytes. */
    public int size() {
        return bytes.length;
    }

    /** Number of events this chunk carries (0 for a comment or heartbeat only). */
    public int events() {
        return events;
    }

    /**
     * Writes the whole chunk with one {@code out.write(byte[], int, int)} call, which a servlet's
     * non-blocking output stream accepts when it is ready.
     */
    public void writeTo(OutputStream out) throws IOException {
        out.write(bytes, 0, bytes.length);
    }

    /** A read-only view of the bytes. */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** The bytes as UTF-8 text. */
    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
