package dev.esper.topic;

import java.util.Locale;

/**
 * The id of a topic: 8 to 64 ASCII letters or digits ({@code [A-Za-z0-9]{8,64}}), compared
 * case-insensitively. The stored {@link #value()} is the canonical lower-case form, so
 * {@code TopicId.of("ABCdef123").equals(TopicId.of("abcdef123"))}.
 *
 * <p>Immutable and thread-safe. An invalid id cannot be constructed.
 *
 * @param value the canonical (lower-case) id
 */
public record TopicId(String value) implements Comparable<TopicId> {
    /** Shortest valid id. */
    public static final int MIN_LENGTH = 8;
    /** Longest valid id. */
    public static final int MAX_LENGTH = 64;

    /**
     * Validates and canonicalises.
     *
     * @throws InvalidTopicIdException if {@code value} is null or not 8-64 ASCII letters or digits
     */
    public TopicId {
        if (!isValid(value)) {
            throw new InvalidTopicIdException(
                    "topic id must be " + MIN_LENGTH + "-" + MAX_LENGTH + " ASCII letters or digits, was "
                            + describe(value));
        }
        value = value.toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a topic id.
     *
     * @param raw the id as received, in any letter case
     * @return the canonical id
     * @throws InvalidTopicIdException if {@code raw} is not 8-64 ASCII letters or digits
     */
    public static TopicId of(String raw) {
        return new TopicId(raw);
    }

    /** Whether {@code raw} is a valid topic id (null is not). */
    public static boolean isValid(String raw) {
        if (raw == null || raw.length() < MIN_LENGTH || raw.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int compareTo(TopicId other) {
        return value.compareTo(other.value);
    }

    /** The canonical id, as shown in {@code /stats} and logs. */
    @Override
    public String toString() {
        return value;
    }

    /** Quotes a rejected id for a message, escaping control and non-ASCII characters, cut to a sane length. */
    private static String describe(String raw) {
        if (raw == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("'");
        int shown = Math.min(raw.length(), 80);
        for (int i = 0; i < shown; i++) {
            char c = raw.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        if (shown < raw.length()) {
            sb.append("...");
        }
        sb.append("' (").append(raw.length()).append(" characters)");
        return sb.toString();
    }
}
