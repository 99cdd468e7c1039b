package dev.esper.broker;

import dev.esper.topic.TopicId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The cursor of a multi-topic stream (SPEC 8): where the stream stands in each of its topics, written into every
 * event's id as {@code <topic>:<cursor>} so that the id alone resumes every topic, on any node.
 *
 * <h2>What it holds</h2>
 * A stream's topics, sorted, each with a <em>slot</em>: the position ({@link Node#position}) of the last event of
 * that topic the stream has sent, or, before it sent any, the position it started from (the topic's newest
 * event, or its floor, when it subscribed; -1 when not known). A topic's events go to the stream in the topic's
 * order and positions increase along it, so what the stream sent of a topic is exactly its events at or below
 * the slot after the stream began: a resume sends the retained events above the slot.
 *
 * <h2>Form</h2>
 * {@code 1} (the form's version), a 6-character check of the stream's topic set (the first 36 bits of the
 * SHA-256 of the sorted ids joined with {@code ,}, in base64url), then {@code .}-separated numbers in base64url
 * digits ({@code A-Z a-z 0-9 - _}, most significant first): the position {@code P} of the event the id is on,
 * then per topic, in sorted order, {@code P - slot} zigzag-encoded (so a slot above {@code P} stays small too).
 * Positions of the topics a stream follows are close together in practice (the broker's counter and Redis'
 * sequence numbers both follow the clock), so the differences are short: about 6 characters a topic, at most
 * 12.
 *
 * <p>Pure functions of their arguments; thread-safe.
 */
final class StreamCursor {
    /** The version character every cursor of this form starts with. */
    static final byte VERSION = '1';
    /** Characters of the topic-set check. */
    static final int CHECK_LENGTH = 6;
    private static final byte[] DIGITS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUES = new byte[128];
    /** Base64url digits of the largest unsigned 64-bit number. */
    private static final int MAX_DIGITS = 11;

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < DIGITS.length; i++) {
            VALUES[DIGITS[i]] = (byte) i;
        }
    }

    private StreamCursor() {
    }

    /** The check of a topic set: sorted canonical ids joined with {@code ,}, hashed, 6 base64url characters. */
    static byte[] check(List<TopicId> sorted) {
        StringBuilder joined = new StringBuilder();
        for (TopicId t : sorted) {
            joined.append(joined.length() == 0 ? "" : ",").append(t.value());
        }
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(joined.toString().getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
        long bits = 0;
        for (int i = 0; i < 5; i++) {
            bits = bits << 8 | (digest[i] & 0xff);
        }
        byte[] out = new byte[CHECK_LENGTH];
        for (int i = CHECK_LENGTH - 1; i >= 0; i--) {
            out[i] = DIGITS[(int) (bits & 63)];
            bits >>>= 6;
        }
        return out;
    }

    /** The most bytes {@link #write} writes for a stream of {@code topics} topics. */
    static int maxLength(int topics) {
        return 1 + CHECK_LENGTH + (1 + MAX_DIGITS) * (topics + 1);
    }

    /**
     * Writes the cursor of an event into {@code out} at {@code p}, which has room for {@link #maxLength}.
     *
     * @param check the stream's {@link #check}
     * @param slots the stream's slots after the event, in sorted topic order
     * @param own the index of the event's topic; its slot is the event's position, not negative
     * @return the index after the last byte written
     */
    static int write(byte[] out, int p, byte[] check, long[] slots, int own) {
        long base = slots[own];
        out[p++] = VERSION;
        System.arraycopy(check, 0, out, p, CHECK_LENGTH);
        p += CHECK_LENGTH;
        out[p++] = '.';
        p = number(out, p, base);
        for (long slot : slots) {
            out[p++] = '.';
            long d = base - slot;
            p = number(out, p, (d << 1) ^ (d >> 63));
        }
        return p;
    }

    /** The cursor of an event as text (see {@link #write}). */
    static String toString(byte[] check, long[] slots, int own) {
        byte[] out = new byte[maxLength(slots.length)];
        int n = write(out, 0, check, slots, own);
        return new String(out, 0, n, StandardCharsets.US_ASCII);
    }

    /** Writes an unsigned number in base64url digits, without leading zeros ({@code A} for 0). */
    private static int number(byte[] out, int p, long v) {
        int bits = 64 - Long.numberOfLeadingZeros(v);
        int digits = bits == 0 ? 1 : (bits + 5) / 6;
        for (int i = digits - 1; i >= 0; i--) {
            out[p + i] = DIGITS[(int) (v & 63)];
            v >>>= 6;
        }
        return p + digits;
    }

    /**
     * Reads the slots back from an event id {@code <topic>:<cursor>} of a stream of {@code sorted} topics.
     *
     * @param eventId the id as the client sent it
     * @param sorted the stream's topics, sorted
     * @param check their {@link #check}
     * @return the slots, in sorted topic order; null if the id is not such a cursor of this topic set (another
     *     form, another set of topics, a topic not in the set, or anything malformed)
     */
    static long[] read(String eventId, List<TopicId> sorted, byte[] check) {
        int colon = eventId.indexOf(':');
        if (colon < 0 || !TopicId.isValid(eventId.substring(0, colon))
                || !sorted.contains(TopicId.of(eventId.substring(0, colon)))) {
            return null;
        }
        String c = eventId.substring(colon + 1);
        int n = sorted.size();
        if (c.length() < 1 + CHECK_LENGTH || c.length() > maxLength(n) || c.charAt(0) != VERSION) {
            return null;
        }
        for (int i = 0; i < CHECK_LENGTH; i++) {
            if (c.charAt(1 + i) != check[i]) {
                return null;
            }
        }
        long[] numbers = new long[n + 1];
        int p = 1 + CHECK_LENGTH;
        for (int k = 0; k <= n; k++) {
            if (p >= c.length() || c.charAt(p) != '.') {
                return null;
            }
            p++;
            int start = p;
            long v = 0;
            while (p < c.length() && c.charAt(p) != '.') {
                char ch = c.charAt(p);
                int digit = ch < 128 ? VALUES[ch] : -1;
                if (digit < 0 || p - start >= MAX_DIGITS || (p - start == MAX_DIGITS - 1 && v >>> 58 != 0)) {
                    return null;
                }
                v = v << 6 | digit;
                p++;
            }
            if (p == start || (p - start > 1 && c.charAt(start) == 'A')) {
                return null;
            }
            numbers[k] = v;
        }
        if (p != c.length() || numbers[0] < 0) {
            return null;
        }
        long base = numbers[0];
        if (numbers[1 + sorted.indexOf(TopicId.of(eventId.substring(0, colon)))] != 0) {
            return null;
        }
        long[] slots = new long[n];
        for (int i = 0; i < n; i++) {
            long z = numbers[i + 1];
            long d = (z >>> 1) ^ -(z & 1);
            try {
                slots[i] = Math.subtractExact(base, d);
            } catch (ArithmeticException e) {
                return null;
            }
        }
        return slots;
    }
}
