package dev.esper.http;

import dev.esper.broker.Broker;
import dev.esper.topic.TopicId;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;

/**
 * A publish body as it arrives, never held beyond its limit (SPEC 2.2): sized from the declared
 * {@code Content-Length} when there is one, grown by doubling otherwise, and refused as soon as it passes
 * {@code maxBytes}, so the API can answer {@code 413} without waiting for the rest. Once read, it is
 * published with {@link #publish}.
 *
 * <p>Not thread-safe: one reader at a time, as a server hands out a request body.
 */
final class BoundedBody implements Exchange.BodyBuffer {
    private static final int INITIAL_BUFFER = 8192;

    private final int maxBytes;
    private byte[] buf;
    private int len;
    private boolean tooLarge;

    /**
     * @param maxBytes the largest body accepted, at least 1
     * @param declaredLength the request's {@code Content-Length}, or -1 if it has none (chunked)
     * @throws IllegalArgumentException if {@code maxBytes} is below 1
     */
    BoundedBody(int maxBytes, long declaredLength) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
        long cap = declaredLength >= 0 ? declaredLength + 1 : INITIAL_BUFFER;
        this.buf = new byte[(int) Math.max(1, Math.min(cap, maxBytes + 1L))];
    }

    /**
     * Appends what {@code bytes} holds, consuming it.
     *
     * @return false, keeping nothing more, if the body now passes the limit ({@link #tooLarge()})
     */
    @Override
    public boolean append(ByteBuffer bytes) {
        int n = bytes.remaining();
        if (tooLarge || (long) len + n > maxBytes) {
            tooLarge = true;
            buf = null;
            return false;
        }
        ensureRoom(len + n);
        bytes.get(buf, len, n);
        len += n;
        return true;
    }

    /** Whether the body passed the limit; what was read is then dropped. */
    boolean tooLarge() {
        return tooLarge;
    }

    /** The number of bytes read so far. */
    int length() {
        return len;
    }

    /**
     * Publishes the body read ({@link Publishing#publish}), with its idempotency key or null, and lets go of its
     * bytes.
     *
     * @throws IllegalStateException if the body passed the limit
     */
    CompletionStage<Answer> publish(Broker broker, HttpApi.Cors cors, TopicId topic, String idempotencyKey) {
        if (tooLarge) {
            throw new IllegalStateException("the body passed its limit of " + maxBytes + " bytes");
        }
        byte[] body = buf;
        buf = null;
        return Publishing.publish(broker, cors, topic, body, 0, len, idempotencyKey);
    }

    /** Grows the buffer (doubling, never past one byte over the limit) to hold {@code needed} bytes. */
    private void ensureRoom(int needed) {
        if (needed > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(Math.max((long) buf.length * 2, needed), maxBytes + 1L));
        }
    }
}
