package dev.esper.event;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Random inputs for {@link SseRoundTripPropertyTest}: events, ids, batches of events and byte soups,
 * all drawn from one {@link SplittableRandom}, so a seed replays a case exactly.
 *
 * <p>Like a property-testing library's generators, it leans toward edge cases and small values: a size
 * is at a bound (empty, one element, longest) one time in four, a number range gives one of its ends one
 * time in sixteen and a value near its low end one time in four, a byte is near zero one time in four,
 * and a line starts with a space or a colon one time in eight.
 *
 * <p>Each value handed out by a package-private method is remembered, so a failing case can show what
 * it was given ({@link #drawn()}). Not thread-safe; one instance serves one case.
 */
final class EventGenerator {

    /** DEL, NEL, NBSP, LINE and PARAGRAPH SEPARATOR, BOM, REPLACEMENT CHARACTER and two noncharacters. */
    private static final int[] SPECIAL_CODE_POINTS = {0x7F, 0x85, 0xA0, 0x2028, 0x2029, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF};

    /** The pieces of an event stream, well-formed or nearly so. */
    private static final String[] STREAM_TOKENS = {"data", "event", "id", "retry", ":", ": ", " ", "\n", "\r",
        "\r\n", "x", "0", "12", "\u0000", "\uFEFF", "\u00e9", "\ud83d\ude00", "Data", "foo", "\n\n"};

    /** Bytes that are not UTF-8: a stray 0xFF, overlong '/', an encoded surrogate, truncated sequences, a lone
     * continuation byte; and the UTF-8 byte-order mark. */
    private static final byte[][] ODD_BYTES = {
        {(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F}, {(byte) 0x80},
        {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}};

    private static final byte[] EDGE_BYTES = {0, 1, -1, Byte.MAX_VALUE, Byte.MIN_VALUE};

    private final SplittableRandom random;
    private final List<String> drawn = new ArrayList<>();

    EventGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    // ---- what a test draws -----------------------------------------------------------------

    /** A valid event: multi-line data (maybe empty), and a name, id and retry each maybe absent. */
    Event event() {
        return remember(nextEvent());
    }

    /** Zero to eight events. */
    List<Event> batch() {
        return remember(nextEvents(0, 8));
    }

    /** One to eight events. */
    List<Event> nonEmptyBatch() {
        return remember(nextEvents(1, 8));
    }

    /** An event id of up to 12 characters (no NUL, CR or LF), possibly empty; null one time in five. */
    String id() {
        return remember(nextId());
    }

    /** An event id of 1 to 12 characters (no NUL, CR or LF). */
    String nonEmptyId() {
        return remember(nextLine(false, 1, 12));
    }

    /** Up to 255 arbitrary bytes; nine times in ten at most 45, so short bodies are common. */
    byte[] bytes() {
        return remember(random.nextInt(10) == 0 ? nextBytes(46, 255) : nextBytes(0, 45));
    }

    /** Up to 40 tokens of an event stream (field names, colons, spaces, line ends, odd characters) mixed
     * with bytes that are not UTF-8 and a few arbitrary bytes. */
    byte[] streamLikeBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int tokens = size(0, 40);
        for (int i = 0; i < tokens; i++) {
            int weight = random.nextInt(6);
            if (weight < 4) {
                out.writeBytes(STREAM_TOKENS[random.nextInt(STREAM_TOKENS.length)].getBytes(StandardCharsets.UTF_8));
            } else if (weight < 5) {
                out.writeBytes(ODD_BYTES[random.nextInt(ODD_BYTES.length)]);
            } else {
                out.writeBytes(nextBytes(0, 3));
            }
        }
        return remember(out.toByteArray());
    }

    /** A {@link Random} for choices a test makes itself, seeded from this generator. */
    Random random() {
        long seed = random.nextLong();
        drawn.add("new Random(" + seed + "L)");
        return new Random(seed);
    }

    /** What this generator has handed out so far, one readable description per value. */
    List<String> drawn() {
        return List.copyOf(drawn);
    }

    // ---- building blocks -------------------------------------------------------------------

    private Event nextEvent() {
        String data = nextData();
        String name = random.nextInt(10) < 3 ? null : nextLine(true, 0, 10);
        String id = nextId();
        String retry = random.nextBoolean() ? null : nextDigits(1, 12);
        return new Event(data, name, id, retry);
    }

    private List<Event> nextEvents(int min, int max) {
        int n = size(min, max);
        List<Event> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            events.add(nextEvent());
        }
        return events;
    }

    /** One to six lines of up to 20 characters (NUL allowed), joined by LF. */
    private String nextData() {
        int n = size(1, 6);
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lines.add(nextLine(true, 0, 20));
        }
        return String.join("\n", lines);
    }

    private String nextId() {
        return random.nextInt(5) == 0 ? null : nextLine(false, 0, 12);
    }

    /** Characters that may appear in a line (never CR or LF); the first one is often a space or a colon. */
    private String nextLine(boolean allowNul, int minChars, int maxChars) {
        int length = size(minChars, maxChars);
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < length; i++) {
            if (i == 0 && random.nextInt(8) == 0) {
                line.append(random.nextBoolean() ? ' ' : ':');
            } else {
                line.appendCodePoint(nextLineCodePoint(allowNul));
            }
        }
        return line.toString();
    }

    /**
     * One code point of a line, by weight: printable ASCII 6, space or colon 3, a C0 control other than
     * CR and LF 1, a special code point 1, the BMP below the surrogates 2, the BMP above them 1, and the
     * astral planes 2.
     */
    private int nextLineCodePoint(boolean allowNul) {
        int weight = random.nextInt(16);
        if (weight < 6) {
            return between(0x21, 0x7E);
        } else if (weight < 9) {
            return random.nextBoolean() ? ' ' : ':';
        } else if (weight < 10) {
            int control;
            do {
                control = between(allowNul ? 0 : 1, 0x1F);
            } while (control == '\n' || control == '\r');
            return control;
        } else if (weight < 11) {
            return SPECIAL_CODE_POINTS[random.nextInt(SPECIAL_CODE_POINTS.length)];
        } else if (weight < 13) {
            return between(0x80, 0xD7FF);
        } else if (weight < 14) {
            return between(0xE000, 0xFFFF);
        } else {
            return between(0x10000, 0x10FFFF);
        }
    }

    private String nextDigits(int minLength, int maxLength) {
        int length = size(minLength, maxLength);
        StringBuilder digits = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            digits.append((char) between('0', '9'));
        }
        return digits.toString();
    }

    private byte[] nextBytes(int minLength, int maxLength) {
        byte[] bytes = new byte[size(minLength, maxLength)];
        for (int i = 0; i < bytes.length; i++) {
            int choice = random.nextInt(16);
            if (choice == 0) {
                bytes[i] = EDGE_BYTES[random.nextInt(EDGE_BYTES.length)];
            } else if (choice < 5) {
                bytes[i] = (byte) random.nextInt(-16, 16);
            } else {
                bytes[i] = (byte) random.nextInt(256);
            }
        }
        return bytes;
    }

    /** A size in [min, max]; one time in four a bound or one above the lower bound. */
    private int size(int min, int max) {
        return switch (random.nextInt(12)) {
            case 0 -> min;
            case 1 -> Math.min(min + 1, max);
            case 2 -> max;
            default -> random.nextInt(min, max + 1);
        };
    }

    /** A number in [min, max]; one time in sixteen one of the two ends, one time in four among its lowest 256. */
    private int between(int min, int max) {
        int choice = random.nextInt(16);
        if (choice == 0) {
            return random.nextBoolean() ? min : max;
        } else if (choice < 5) {
            return random.nextInt(min, Math.min(min + 256, max + 1));
        }
        return random.nextInt(min, max + 1);
    }

    // ---- descriptions ----------------------------------------------------------------------

    private <T> T remember(T value) {
        drawn.add(describe(value));
        return value;
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        } else if (value instanceof String s) {
            return '"' + printable(s) + '"';
        } else if (value instanceof Event e) {
            return "Event[data=" + describe(e.data()) + ", name=" + describe(e.name()) + ", id=" + describe(e.id())
                    + ", retry=" + describe(e.retry()) + "]";
        } else if (value instanceof List<?> list) {
            return list.stream().map(EventGenerator::describe).collect(Collectors.joining(", ", "[", "]"));
        } else if (value instanceof byte[] bytes) {
            return bytes.length + " bytes [" + HexFormat.ofDelimiter(" ").formatHex(bytes) + "]";
        }
        return String.valueOf(value);
    }

    /** The text with every code point outside printable ASCII, and the backslash, written as a backslash, {@code u} and its hex digits in braces. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\u{%x}", c));
            }
        });
        return sb.toString();
    }
}
