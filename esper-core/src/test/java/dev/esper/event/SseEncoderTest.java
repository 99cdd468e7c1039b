package dev.esper.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The wire frame of an event, byte for byte (SPEC 2.2, last points). */
class SseEncoderTest {

    @Test
    void encodesDataOnly() {
        assertFrame(SseEncoder.encode(Event.of("hello"), null), "data: hello\n\n");
    }

    @Test
    void encodesIdEventRetryThenDataInThatOrder() {
        Event event = new Event("hello", "update", "own", "5000");
        assertFrame(SseEncoder.encode(event, "17"), "id: 17\nevent: update\nretry: 5000\ndata: hello\n\n");
    }

    @Test
    void theGivenIdReplacesTheEventsOwn() {
        Event event = Event.of("x").withId("own");
        assertFrame(SseEncoder.encode(event, "42"), "id: 42\ndata: x\n\n");
    }

    @Test
    void aNullIdWritesNoIdLineEvenIfTheEventHasOne() {
        Event event = Event.of("x").withId("own");
        assertFrame(SseEncoder.encode(event, null), "data: x\n\n");
    }

    @Test
    void encodeWithoutAnIdUsesTheEventsOwn() {
        assertFrame(SseEncoder.encode(Event.of("x").withId("own")), "id: own\ndata: x\n\n");
        assertFrame(SseEncoder.encode(Event.of("x")), "data: x\n\n");
    }

    @Test
    void encodesNameWithoutId() {
        assertFrame(SseEncoder.encode(Event.of("{\"some\":\"data\"}").withName("testing"), null),
                "event: testing\ndata: {\"some\":\"data\"}\n\n");
    }

    @Test
    void encodesRetryWithoutNameOrId() {
        assertFrame(SseEncoder.encode(Event.of("x").withRetry("0"), null), "retry: 0\ndata: x\n\n");
    }

    @Test
    void multiLineDataIsOneDataLinePerLine() {
        assertFrame(SseEncoder.encode(Event.of("one\ntwo\nthree"), "1"),
                "id: 1\ndata: one\ndata: two\ndata: three\n\n");
    }

    @Test
    void emptyLinesOfDataAreEmptyDataLines() {
        assertFrame(SseEncoder.encode(Event.of("a\n\nb"), null), "data: a\ndata: \ndata: b\n\n");
        assertFrame(SseEncoder.encode(Event.of("\n"), null), "data: \ndata: \n\n");
        assertFrame(SseEncoder.encode(Event.of("a\n"), null), "data: a\ndata: \n\n");
    }

    @Test
    void emptyDataIsOneEmptyDataLine() {
        assertFrame(SseEncoder.encode(Event.of(""), null), "data: \n\n");
    }

    @Test
    void valuesStartingWithASpaceKeepItBehindTheSeparatingSpace() {
        assertFrame(SseEncoder.encode(new Event(" d", " n", null, null), " i"),
                "id:  i\nevent:  n\ndata:  d\n\n");
    }

    @Test
    void colonsInValuesAreWrittenAsIs() {
        assertFrame(SseEncoder.encode(new Event("a:b", "c:d", null, null), "e:f"),
                "id: e:f\nevent: c:d\ndata: a:b\n\n");
    }

    @Test
    void nonAsciiIsWrittenAsUtf8() {
        byte[] frame = SseEncoder.encode(new Event("\u00e9\ud83d\ude00", "\u0663", null, null), "\u4e2d");
        assertThat(frame).containsExactly(concat(
                ascii("id: "), new byte[] {(byte) 0xE4, (byte) 0xB8, (byte) 0xAD},
                ascii("\nevent: "), new byte[] {(byte) 0xD9, (byte) 0xA3},
                ascii("\ndata: "), new byte[] {(byte) 0xC3, (byte) 0xA9, (byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80},
                ascii("\n\n")));
    }

    @Test
    void nulInDataIsWrittenAsIs() {
        assertFrame(SseEncoder.encode(Event.of("a\u0000b"), null), "data: a\u0000b\n\n");
    }

    @Test
    void anEmptyIdIsWrittenAsAnEmptyIdLine() {
        // An empty id line resets a reader's last event id; the caller asked for exactly that.
        assertFrame(SseEncoder.encode(Event.of("x"), ""), "id: \ndata: x\n\n");
    }

    @Test
    void everyFrameEndsWithABlankLineAndUsesOnlyLineFeeds() {
        byte[] frame = SseEncoder.encode(new Event("a\nb\n\nc", "n", null, "1"), "9");
        String text = new String(frame, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n\n").doesNotContain("\r").doesNotContain("\n\n\n");
        assertThat(text.indexOf("\n\n")).isEqualTo(text.length() - 2);
    }

    @Test
    void eachCallReturnsAFreshArray() {
        Event event = Event.of("x");
        byte[] first = SseEncoder.encode(event, "1");
        first[0] = 'X';
        assertFrame(SseEncoder.encode(event, "1"), "id: 1\ndata: x\n\n");
    }

    @Test
    void aLongMultiLinePayloadIsSizedExactly() {
        StringBuilder data = new StringBuilder();
        StringBuilder expected = new StringBuilder("id: 123456789\nevent: big\n");
        for (int i = 0; i < 1000; i++) {
            String line = i % 7 == 0 ? "" : "line \u00e9 " + i;
            data.append(i == 0 ? "" : "\n").append(line);
            expected.append("data: ").append(line).append('\n');
        }
        expected.append('\n');
        assertFrame(SseEncoder.encode(Event.of(data.toString()).withName("big"), "123456789"), expected.toString());
    }

    @Test
    void encodesAComment() {
        assertFrame(SseEncoder.comment("ok"), ": ok\n\n");
        assertFrame(SseEncoder.comment("heartbeat \u00e9"), ": heartbeat \u00e9\n\n");
    }

    @Test
    void encodesAnEmptyComment() {
        assertFrame(SseEncoder.comment(""), ":\n\n");
    }

    @Test
    void aCommentMustNotContainALineBreak() {
        assertThatThrownBy(() -> SseEncoder.comment("a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SseEncoder.comment("a\rb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SseEncoder.comment("\r\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCommentFrameParsesToNothing() {
        byte[] body = concat(SseEncoder.comment("ok"), SseEncoder.encode(Event.of("x"), null),
                SseEncoder.comment(""));
        assertThat(SseParser.parse(body)).containsExactly(Event.of("x"));
    }

    private static void assertFrame(byte[] actual, String expected) {
        assertThat(new String(actual, StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(actual).containsExactly(expected.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }
}
