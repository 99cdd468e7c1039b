package dev.esper.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.event.EventStreamInterpreter.Dispatched;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The round trips of SPEC 2.2: a frame written by {@link SseEncoder} reaches a standard EventSource
 * (here {@link EventStreamInterpreter}, written from the HTML standard) as exactly the published event;
 * a body written from events parses back to those events; and no input makes the parser fail other
 * than with an {@link InvalidEventException}.
 */
class SseRoundTripPropertyTest {

    // ---- encoder -> standard EventSource ---------------------------------------------------

    @Property
    void aStandardEventSourceReadsExactlyThePublishedEventFromItsFrame(
            @ForAll("events") Event event, @ForAll("ids") String id) {
        EventStreamInterpreter reader = EventStreamInterpreter.read(SseEncoder.encode(event, id));

        assertThat(reader.dispatched()).containsExactly(new Dispatched(
                event.name() == null ? "message" : event.name(), event.data(), id == null ? "" : id));
        assertThat(reader.reconnectionTime()).isEqualTo(event.retry() == null ? null : new BigInteger(event.retry()));
    }

    @Property
    void aStandardEventSourceReadsAStreamOfFramesAndHeartbeatsInOrder(
            @ForAll("batches") List<Event> events, @ForAll Random random) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(SseEncoder.comment("ok"));
        List<Dispatched> expected = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Event event = events.get(i);
            String id = String.valueOf(1000 + i);
            stream.writeBytes(SseEncoder.encode(event, id));
            if (random.nextInt(3) == 0) {
                stream.writeBytes(SseEncoder.comment(random.nextBoolean() ? "" : "heartbeat"));
            }
            expected.add(new Dispatched(event.name() == null ? "message" : event.name(), event.data(), id));
        }

        EventStreamInterpreter reader = EventStreamInterpreter.read(stream.toByteArray());

        assertThat(reader.dispatched()).containsExactlyElementsOf(expected);
        assertThat(reader.lastEventId()).isEqualTo(expected.isEmpty() ? "" : expected.get(expected.size() - 1)
                .lastEventId());
    }

    @Property
    void aFrameWithoutAnIdLeavesTheLastEventIdOfThePreviousOne(
            @ForAll("events") Event first, @ForAll("events") Event second, @ForAll("nonEmptyIds") String id) {
        byte[] stream = concat(SseEncoder.encode(first, id), SseEncoder.encode(second, null));

        List<Dispatched> dispatched = EventStreamInterpreter.read(stream).dispatched();

        assertThat(dispatched).extracting(Dispatched::lastEventId).containsExactly(id, id);
        assertThat(dispatched).extracting(Dispatched::data).containsExactly(first.data(), second.data());
    }

    // ---- encoder -> SseParser --------------------------------------------------------------

    @Property
    void framesOfTheEncoderParseBackToTheSameEvents(@ForAll("batches") List<Event> events) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Event event : events) {
            body.writeBytes(SseEncoder.encode(event));
        }
        if (events.isEmpty()) {
            return;
        }
        assertThat(SseParser.parse(body.toByteArray())).containsExactlyElementsOf(events);
    }

    // ---- any well-formed body -> SseParser -------------------------------------------------

    @Property
    void aBodyWrittenFromEventsInAnyLegalLayoutParsesBackToThoseEvents(
            @ForAll("nonEmptyBatches") List<Event> events, @ForAll Random random) {
        String body = BodyWriter.write(events, random);

        assertThat(SseParser.parse(body.getBytes(StandardCharsets.UTF_8)))
                .as("body %s", printable(body))
                .containsExactlyElementsOf(events);
    }

    // ---- any bytes -> events or InvalidEventException --------------------------------------

    @Property(tries = 2000)
    void arbitraryBytesGiveEventsOrAnInvalidEventException(@ForAll byte[] body) {
        assertParsesOrRejectsCleanly(body);
    }

    @Property(tries = 3000)
    void arbitraryEventStreamLikeBytesGiveEventsOrAnInvalidEventException(@ForAll("streamLikeBytes") byte[] body) {
        assertParsesOrRejectsCleanly(body);
    }

    private static void assertParsesOrRejectsCleanly(byte[] body) {
        List<Event> events;
        try {
            events = SseParser.parse(body);
        } catch (InvalidEventException e) {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(events).isNotEmpty().doesNotContainNull();
        // What was accepted survives being framed and parsed again, and a browser reads the same data.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        for (Event event : events) {
            again.writeBytes(SseEncoder.encode(event));
        }
        assertThat(SseParser.parse(again.toByteArray())).containsExactlyElementsOf(events);
        assertThat(EventStreamInterpreter.read(again.toByteArray()).dispatched())
                .extracting(Dispatched::data)
                .containsExactlyElementsOf(events.stream().map(Event::data).collect(Collectors.toList()));
    }

    // ---- the reference reader against the standard's own examples --------------------------

    @Example
    void referenceReaderFollowsTheStandardsFirstExample() {
        // HTML 9.2.6: "data: This is the first message." ... the last block has no blank line after it.
        String stream = "data: This is the first message.\n\ndata: This is the second message, it\n"
                + "data: has two lines.\n\ndata: This is the third message.\n";
        assertThat(EventStreamInterpreter.read(utf8(stream)).dispatched()).extracting(Dispatched::data)
                .containsExactly("This is the first message.", "This is the second message, it\nhas two lines.");
    }

    @Example
    void referenceReaderFollowsTheStandardsEmptyDataExample() {
        // "The first block fires events with the data set to the empty string, as would the last block if
        // it was followed by a blank line. The middle block fires an event with the data set to a single
        // newline character."
        assertThat(EventStreamInterpreter.read(utf8("data\n\ndata\ndata\n\ndata:")).dispatched())
                .extracting(Dispatched::data).containsExactly("", "\n");
    }

    @Example
    void referenceReaderFollowsTheStandardsSpaceExample() {
        // "The following stream fires two identical events: This is because the space after the colon is
        // ignored if present."
        assertThat(EventStreamInterpreter.read(utf8("data:test\n\ndata: test\n\n")).dispatched())
                .extracting(Dispatched::data).containsExactly("test", "test");
    }

    @Example
    void referenceReaderKeepsTheLastEventIdAndIgnoresNulIdsAndUnknownFields() {
        byte[] stream = utf8("\uFEFFid: 1\r\ndata: a\r\n\r\nid: x\u0000y\rfoo: bar\rdata: b\r\rid\ndata: c\n\n");
        assertThat(EventStreamInterpreter.read(stream).dispatched()).containsExactly(
                new Dispatched("message", "a", "1"), new Dispatched("message", "b", "1"),
                new Dispatched("message", "c", ""));
    }

    @Example
    void referenceReaderIgnoresARetryThatIsNotDigitsAndAnEventWithoutData() {
        EventStreamInterpreter reader = EventStreamInterpreter.read(utf8("retry: 10\nevent: x\n\nretry: 1x\ndata: y\n\n"));
        assertThat(reader.dispatched()).containsExactly(new Dispatched("message", "y", ""));
        assertThat(reader.reconnectionTime()).isEqualTo(BigInteger.TEN);
    }

    // ---- generators ------------------------------------------------------------------------

    /** One character (as a string; astral ones are a surrogate pair) that may appear in a line: not CR or LF. */
    private static Arbitrary<String> lineChars(boolean allowNul) {
        Arbitrary<Integer> controls = Arbitraries.integers().between(allowNul ? 0 : 1, 0x1F)
                .filter(c -> c != '\n' && c != '\r');
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0x21, 0x7E)),
                Tuple.of(3, Arbitraries.of((int) ' ', (int) ':')),
                Tuple.of(1, controls),
                Tuple.of(1, Arbitraries.of(0x7F, 0x85, 0xA0, 0x2028, 0x2029, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0xD7FF)),
                Tuple.of(1, Arbitraries.integers().between(0xE000, 0xFFFF)),
                Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10FFFF)))
                .map(Character::toString);
    }

    private static Arbitrary<String> lines(boolean allowNul, int maxChars) {
        return lineChars(allowNul).list().ofMaxSize(maxChars).map(cs -> String.join("", cs));
    }

    @Provide
    Arbitrary<String> data() {
        return lines(true, 20).list().ofMinSize(1).ofMaxSize(6).map(ls -> String.join("\n", ls));
    }

    @Provide
    Arbitrary<String> ids() {
        return lines(false, 12).injectNull(0.2);
    }

    @Provide
    Arbitrary<String> nonEmptyIds() {
        return lines(false, 12).filter(s -> !s.isEmpty());
    }

    private static Arbitrary<String> retries() {
        return Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(12).injectNull(0.5);
    }

    @Provide
    Arbitrary<Event> events() {
        return Combinators.combine(data(), lines(true, 10).injectNull(0.3), ids(), retries())
                .as(Event::new);
    }

    @Provide
    Arbitrary<List<Event>> batches() {
        return events().list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<Event>> nonEmptyBatches() {
        return events().list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<byte[]> streamLikeBytes() {
        Arbitrary<byte[]> tokens = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("data", "event", "id", "retry", ":", ": ", " ", "\n", "\r", "\r\n",
                        "x", "0", "12", "\u0000", "\uFEFF", "\u00e9", "\ud83d\ude00", "Data", "foo", "\n\n")
                        .map(SseRoundTripPropertyTest::utf8)),
                Tuple.of(1, Arbitraries.of(
                        new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC0, (byte) 0xAF},
                        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xE2, (byte) 0x82},
                        new byte[] {(byte) 0xF0, (byte) 0x9F}, new byte[] {(byte) 0x80},
                        new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF})),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(3)));
        return tokens.list().ofMaxSize(40).map(parts -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            parts.forEach(out::writeBytes);
            return out.toByteArray();
        });
    }

    // ---- a writer of legal bodies in varied layouts ----------------------------------------

    /** Writes events as a publish body, choosing at random among every layout SPEC 2.2 allows. */
    private static final class BodyWriter {
        private final Random random;
        private final StringBuilder out = new StringBuilder();
        private String previousLineEnd = "";

        private BodyWriter(Random random) {
            this.random = random;
        }

        static String write(List<Event> events, Random random) {
            return new BodyWriter(random).write(events);
        }

        private String write(List<Event> events) {
            if (random.nextInt(4) == 0) {
                out.append('\uFEFF');
            }
            maybeComments();
            for (int i = 0; i < events.size(); i++) {
                writeEvent(events.get(i));
                boolean last = i == events.size() - 1;
                int blankLines = last ? random.nextInt(3) : 1 + random.nextInt(3);
                for (int b = 0; b < blankLines; b++) {
                    line("");
                    if (random.nextInt(5) == 0) {
                        maybeComments();
                    }
                }
            }
            if (random.nextBoolean() && !previousLineEnd.isEmpty() && out.length() > 0) {
                // The end of the body ends the last line too: drop the final line end when that is
                // unambiguous (the last line is not blank).
                String text = out.toString();
                String withoutEnd = text.substring(0, text.length() - previousLineEnd.length());
                if (!withoutEnd.isEmpty() && !withoutEnd.endsWith("\n") && !withoutEnd.endsWith("\r")
                        && !withoutEnd.endsWith("\uFEFF")) {
                    return withoutEnd;
                }
            }
            return out.toString();
        }

        private void writeEvent(Event event) {
            List<String> fields = new ArrayList<>();
            for (String dataLine : event.data().split("\n", -1)) {
                fields.add(field("data", dataLine));
            }
            insertAtRandom(fields, "event", event.name(), junkName());
            insertAtRandom(fields, "id", event.id(), junkId());
            insertAtRandom(fields, "retry", event.retry(), String.valueOf(random.nextInt(100_000)));
            for (String f : fields) {
                line(f);
                if (random.nextInt(6) == 0) {
                    comment();
                }
            }
        }

        /** Places the field among the data lines; maybe after an earlier line of it that it overrides. */
        private void insertAtRandom(List<String> fields, String name, String value, String junk) {
            if (value == null) {
                if (random.nextInt(4) == 0 && !name.equals("retry")) {
                    // An empty line of the field means "none" too.
                    fields.add(random.nextInt(fields.size() + 1), field(name, ""));
                }
                return;
            }
            int at = random.nextInt(fields.size() + 1);
            fields.add(at, field(name, value));
            if (random.nextInt(3) == 0) {
                fields.add(random.nextInt(at + 1), field(name, junk));
            }
        }

        private String junkName() {
            return random.nextBoolean() ? "overridden" : "";
        }

        private String junkId() {
            return random.nextBoolean() ? "old id" : "";
        }

        private String field(String name, String value) {
            if (value.isEmpty()) {
                switch (random.nextInt(3)) {
                    case 0:
                        return name;
                    case 1:
                        return name + ":";
                    default:
                        return name + ": ";
                }
            }
            if (value.startsWith(" ") || random.nextBoolean()) {
                return name + ": " + value;
            }
            return name + ":" + value;
        }

        private void maybeComments() {
            int n = random.nextInt(3);
            for (int i = 0; i < n; i++) {
                comment();
            }
        }

        private void comment() {
            line(random.nextBoolean() ? ":" : ": keep-alive: " + random.nextInt());
        }

        private void line(String text) {
            String end;
            do {
                end = new String[] {"\n", "\r", "\r\n"}[random.nextInt(3)];
                // A CR then an empty line ended by LF would read as one CRLF: pick another end.
            } while (previousLineEnd.equals("\r") && text.isEmpty() && end.equals("\n"));
            out.append(text).append(end);
            previousLineEnd = end;
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c >= 0x20 && c < 0x7F) {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\u{%x}", c));
            }
        });
        return sb.toString();
    }
}
