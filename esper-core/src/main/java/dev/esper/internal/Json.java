package dev.esper.internal;

import java.util.Collection;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The little JSON esper writes: publish answers, stats and error bodies. Strings are escaped so the output
 * is valid JSON and safe inside a JavaScript string (control characters, U+2028, U+2029 and unpaired
 * surrogates become {@code \\uXXXX}). Stateless and thread-safe.
 */
public final class Json {
    private Json() {
    }

    /**
     * An error body, {@code {"error":"<reason>"}} and a line feed.
     *
     * @param reason the one-line reason
     * @return the JSON text
     */
    public static String error(String reason) {
        StringBuilder sb = new StringBuilder(reason.length() + 16).append("{\"error\":");
        string(sb, reason);
        return sb.append("}\n").toString();
    }

    /**
     * Appends {@code s} as a JSON string literal.
     *
     * @param sb where to append
     * @param s the string
     */
    public static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029'
                            || (c >= 0xd800 && c <= 0xdfff && !validSurrogate(s, i))) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    /**
     * Appends a JSON value: a {@link Map} as an object (keys in sorted order), a
     * {@link Collection} as an array, a finite {@link Number} or a {@link Boolean} as itself, null as
     * {@code null}, anything else as a string of its {@code toString()}.
     *
     * @param sb where to append
     * @param value the value
     */
    public static void value(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : sorted((Map<?, ?>) value).entrySet()) {
                sb.append(first ? "" : ",");
                first = false;
                string(sb, e.getKey());
                sb.append(':');
                value(sb, e.getValue());
            }
            sb.append('}');
        } else if (value instanceof Collection) {
            sb.append('[');
            boolean first = true;
            for (Object v : (Collection<?>) value) {
                sb.append(first ? "" : ",");
                first = false;
                value(sb, v);
            }
            sb.append(']');
        } else if (value instanceof Boolean || (value instanceof Number && Double.isFinite(((Number) value)
                .doubleValue()))) {
            sb.append(value);
        } else {
            string(sb, value.toString());
        }
    }

    private static SortedMap<String, Object> sorted(Map<?, ?> map) {
        SortedMap<String, Object> out = new TreeMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
