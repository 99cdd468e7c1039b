package dev.esper.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.esper.EsperException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC 2.2: parsing a publish body ({@link SseParser}) and the rules of an {@link Event}. */
class Spec22ParsingTest {

    // ---- line ends -------------------------------------------------------------------------

    @Test
    void linesEndWithLf() {
        assertThat(parse("event: a\ndata: 1\n\ndata: 2\n"))
                .containsExactly(new Event("1", "a", null, null), Event.of("2"));
    }

    @Test
    void linesEndWithCrLf() {
        assertThat(parse("event: a\r\ndata: 1\r\n\r\ndata: 2\r\n"))
                .containsExactly(new Event("1", "a", null, null), Event.of("2"));
    }

    @Test
    void linesEndWithCr() {
        assertThat(parse("event: a\rdata: 1\r\rdata: 2\r"))
                .containsExactly(new Event("1", "a", null, null), Event.of("2"));
    }

    @Test
    void lineEndsMayBeMixedInOneBody() {
        assertThat(parse("data: 1\rdata: 2\r\ndata: 3\n\r\ndata: 4\r\rdata: 5\n\ndata: 6"))
                .containsExactly(Event.of("1\n2\n3"), Event.of("4"), Event.of("5"), Event.of("6"));
    }

    @Test
    void crFollowedByCrLfIsALineThenABlankLine() {
        assertThat(parse("data: 1\r\r\ndata: 2")).containsExactly(Event.of("1"), Event.of("2"));
    }

    @Test
    void lfFollowedByCrIsALineThenABlankLine() {
        assertThat(parse("data: 1\n\rdata: 2")).containsExactly(Event.of("1"), Event.of("2"));
    }

    // ---- field:value, field: value, bare field ---------------------------------------------

    @Test
    void fieldColonValueWithoutSpace() {
        assertThat(parse("data:x")).containsExactly(Event.of("x"));
    }

    @Test
    void exactlyOneSpaceAfterTheColonIsDropped() {
        assertThat(parse("data: x")).containsExactly(Event.of("x"));
        assertThat(parse("data:  x")).containsExactly(Event.of(" x"));
        assertThat(parse("data:   x  ")).containsExactly(Event.of("  x  "));
    }

    @Test
    void aTabAfterTheColonIsKept() {
        assertThat(parse("data:\tx")).containsExactly(Event.of("\tx"));
    }

    @Test
    void onlyTheFirstColonSeparatesFieldFromValue() {
        assertThat(parse("data: {\"a\":\"b:c\"}\nid: urn:x:1\nevent: ns:name"))
                .containsExactly(new Event("{\"a\":\"b:c\"}", "ns:name", "urn:x:1", null));
    }

    @Test
    void aBareFieldHasAnEmptyValue() {
        assertThat(parse("data")).containsExactly(Event.of(""));
        assertThat(parse("data\ndata")).containsExactly(Event.of("\n"));
    }

    @Test
    void fieldColonWithNothingAfterHasAnEmptyValue() {
        assertThat(parse("data:")).containsExactly(Event.of(""));
        assertThat(parse("data: ")).containsExactly(Event.of(""));
    }

    @Test
    void aBareEventOrIdLeavesThatFieldUnset() {
        assertThat(parse("event\nid\ndata: x")).containsExactly(Event.of("x"));
    }

    @Test
    void valuesKeepNonAsciiText() {
        assertThat(parse("event: caf\u00e9\nid: \u0663\ndata: \ud83d\ude00 \u4e2d\u6587"))
                .containsExactly(new Event("\ud83d\ude00 \u4e2d\u6587", "caf\u00e9", "\u0663", null));
    }

    @Test
    void fieldNamesAreCaseSensitive() {
        InvalidEventException e = rejected("Data: x");
        assertThat(e.getMessage()).contains("'Data'");
    }

    @Test
    void aSpaceBeforeTheColonIsPartOfTheFieldName() {
        InvalidEventException e = rejected("data : x");
        assertThat(e.getMessage()).contains("'data '");
    }

    // ---- the four fields -------------------------------------------------------------------

    @Test
    void readsAllFourFields() {
        assertThat(parse("id: 42\nevent: update\nretry: 5000\ndata: hello\n\n"))
                .containsExactly(new Event("hello", "update", "42", "5000"));
    }

    @Test
    void fieldOrderDoesNotMatter() {
        assertThat(parse("data: hello\nretry: 5000\nevent: update\nid: 42"))
                .containsExactly(new Event("hello", "update", "42", "5000"));
    }

    @Test
    void severalDataLinesJoinWithLineFeed() {
        assertThat(parse("data: one\ndata: two\ndata: three")).containsExactly(Event.of("one\ntwo\nthree"));
    }

    @Test
    void dataLinesMayBeInterleavedWithOtherFields() {
        assertThat(parse("data: one\nevent: e\ndata: two")).containsExactly(new Event("one\ntwo", "e", null, null));
    }

    @Test
    void anEmptyDataLineIsAnEmptyLineOfThePayload() {
        assertThat(parse("data: a\ndata:\ndata: b")).containsExactly(Event.of("a\n\nb"));
        assertThat(parse("data:\ndata: b")).containsExactly(Event.of("\nb"));
        assertThat(parse("data: a\ndata:")).containsExactly(Event.of("a\n"));
    }

    @Test
    void aSingleEmptyDataLineIsAnEmptyPayload() {
        assertThat(parse("data:\n\n")).containsExactly(Event.of(""));
    }

    @Test
    void theLastIdWins() {
        assertThat(parse("id: 1\nid: 2\ndata: x")).singleElement().extracting(Event::id).isEqualTo("2");
    }

    @Test
    void theLastEventNameWins() {
        assertThat(parse("event: a\nevent: b\ndata: x")).singleElement().extracting(Event::name).isEqualTo("b");
    }

    @Test
    void theLastRetryWins() {
        assertThat(parse("retry: 1\nretry: 2\ndata: x")).singleElement().extracting(Event::retry).isEqualTo("2");
    }

    @Test
    void anEmptyIdOrEventLineAfterAValueClearsIt() {
        assertThat(parse("id: 1\nid:\nevent: a\nevent\ndata: x")).containsExactly(Event.of("x"));
    }

    @Test
    void fieldsDoNotCarryOverToTheNextEvent() {
        assertThat(parse("id: 1\nevent: a\nretry: 9\ndata: x\n\ndata: y"))
                .containsExactly(new Event("x", "a", "1", "9"), Event.of("y"));
    }

    @Test
    void retryWithLeadingZerosIsKeptAsWritten() {
        assertThat(parse("retry: 0010\ndata: x")).singleElement().extracting(Event::retry).isEqualTo("0010");
    }

    @Test
    void dataMayContainNul() {
        assertThat(parse("data: a\u0000b")).containsExactly(Event.of("a\u0000b"));
    }

    // ---- comments --------------------------------------------------------------------------

    @Test
    void commentsAreDropped() {
        assertThat(parse(":hello\n: world\ndata: x\n:\n: between\ndata: y\n:last"))
                .containsExactly(Event.of("x\ny"));
    }

    @Test
    void aCommentDoesNotEndAnEvent() {
        assertThat(parse("data: x\n: note\ndata: y\n\n")).containsExactly(Event.of("x\ny"));
    }

    @Test
    void aCommentLineMayContainAnythingIncludingUnknownFieldNames() {
        assertThat(parse(":foo: bar\n:retry: abc\ndata: x")).containsExactly(Event.of("x"));
    }

    @Test
    void commentsBetweenEventsAreDropped() {
        assertThat(parse(":ok\n\ndata: x\n\n: keep-alive\n\ndata: y\n\n:bye\n"))
                .containsExactly(Event.of("x"), Event.of("y"));
    }

    // ---- batches and the end of the body ---------------------------------------------------

    @Test
    void aBatchIsParsedInOrder() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            body.append("id: ").append(i).append("\ndata: event ").append(i).append("\n\n");
        }
        List<Event> events = parse(body.toString());
        assertThat(events).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(events.get(i)).isEqualTo(new Event("event " + i, null, String.valueOf(i), null));
        }
    }

    @Test
    void severalBlankLinesBetweenEventsAreOneSeparator() {
        assertThat(parse("\n\ndata: x\n\n\n\n\ndata: y\n\n\n")).containsExactly(Event.of("x"), Event.of("y"));
    }

    @Test
    void theEndOfTheBodyEndsTheLastEvent() {
        assertThat(parse("data: x\n\ndata: y")).containsExactly(Event.of("x"), Event.of("y"));
        assertThat(parse("data: x\n\ndata: y\n")).containsExactly(Event.of("x"), Event.of("y"));
    }

    @Test
    void theCurlExampleFromTheReadmeIsOneEventNamedTesting() {
        byte[] body = "event: testing\ndata: {\"some\":\"data\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(SseParser.parse(body)).containsExactly(new Event("{\"some\":\"data\"}", "testing", null, null));
    }

    @Test
    void aBodyIsReadAsIsAndNeverFormDecoded() {
        assertThat(parse("data: a+b%20c&d=e")).containsExactly(Event.of("a+b%20c&d=e"));
    }

    @Test
    void returnsAnUnmodifiableList() {
        List<Event> events = parse("data: x");
        assertThatThrownBy(() -> events.add(Event.of("y"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void parsesTheGivenSliceOfAnArray() {
        byte[] inside = utf8("data: x\n\ndata: y\n\n");
        byte[] bytes = concat(concat(new byte[] {(byte) 0xFF, 'z', ':'}, inside), new byte[] {'q', (byte) 0xFF});
        assertThat(SseParser.parse(bytes, 3, inside.length)).containsExactly(Event.of("x"), Event.of("y"));
    }

    @Test
    void parsesDecodedText() {
        assertThat(SseParser.parse((CharSequence) new StringBuilder("data: x\r\ndata: y")))
                .containsExactly(Event.of("x\ny"));
    }

    // ---- byte-order mark -------------------------------------------------------------------

    @Test
    void aLeadingByteOrderMarkIsSkipped() {
        byte[] body = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("data: x"));
        assertThat(SseParser.parse(body)).containsExactly(Event.of("x"));
        assertThat(SseParser.parse("\uFEFFdata: x")).containsExactly(Event.of("x"));
    }

    @Test
    void onlyOneByteOrderMarkIsSkipped() {
        InvalidEventException e = rejected("\uFEFF\uFEFFdata: x");
        assertThat(e.getMessage()).contains("unknown field");
    }

    @Test
    void aByteOrderMarkInsideAValueIsKept() {
        assertThat(parse("data: \uFEFFx")).containsExactly(Event.of("\uFEFFx"));
    }

    @Test
    void aBodyOfOnlyAByteOrderMarkIsRejected() {
        assertThat(rejected("\uFEFF").getMessage()).contains("no event");
    }

    // ---- rejections ------------------------------------------------------------------------

    @Test
    void rejectsAnEmptyBody() {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                () -> SseParser.parse(new byte[0]));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("empty").contains("data");
    }

    @ParameterizedTest(name = "rejects {0}")
    @ValueSource(strings = {"\n", "\n\n\n", "\r\n\r\n", "\r\r", "\r\n\r\n\n\r"})
    void rejectsABodyOfBlankLinesOnly(String body) {
        InvalidEventException e = rejected(body);
        assertThat(e.getMessage()).isNotBlank();
    }

    @Test
    void blankLinesOnlyIsRejectedAsHoldingNoEvent() {
        assertThat(rejected("\n\n\n").getMessage()).contains("no event").contains("data");
    }

    @Test
    void rejectsABodyOfCommentsOnly() {
        assertThat(rejected(":ok\n: heartbeat\n\n:\n").getMessage()).contains("no event").contains("data");
    }

    @Test
    void rejectsAnEventWithoutData() {
        InvalidEventException e = rejected("event: x");
        assertThat(e.getMessage()).contains("no 'data'");
    }

    @ParameterizedTest(name = "rejects {0}")
    @ValueSource(strings = {"id: 1\n\n", "retry: 10\n", "event: x\nid: 2\nretry: 3\n\n", "id"})
    void rejectsAnyEventWithoutData(String body) {
        assertThat(rejected(body).getMessage()).contains("data");
    }

    @Test
    void theMessageForAnEventWithoutDataSaysWhereItStarts() {
        assertThat(rejected("data: x\n\n: c\n\nevent: y\n\ndata: z").getMessage()).contains("line 5");
    }

    @Test
    void rejectsAnUnknownFieldAndNamesIt() {
        InvalidEventException e = rejected("data: x\nfoo: bar");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("'foo'").contains("line 2").doesNotContain("bar");
    }

    @Test
    void rejectsAnUnknownBareField() {
        assertThat(rejected("data: x\nhello").getMessage()).contains("'hello'");
    }

    @Test
    void rejectsALineStartingWithASpace() {
        // The field name is " data", which is not a known field.
        assertThat(rejected(" data: x").getMessage()).contains("unknown field");
    }

    @Test
    void theMessageForAnUnknownFieldShowsControlCharactersEscaped() {
        InvalidEventException e = rejected("da\u0000ta\u001b: x");
        assertThat(e.getMessage()).contains("\\u0000").contains("\\u001b").doesNotContain("\u0000");
    }

    @Test
    void theMessageForAnUnknownFieldCutsAVeryLongName() {
        InvalidEventException e = rejected("x".repeat(10_000) + ": y");
        assertThat(e.getMessage()).hasSizeLessThan(300);
    }

    @Test
    void rejectsAnEmptyRetry() {
        assertThat(rejected("retry:\ndata: x").getMessage()).contains("retry");
        assertThat(rejected("retry\ndata: x").getMessage()).contains("retry");
        assertThat(rejected("retry: \ndata: x").getMessage()).contains("retry");
    }

    @ParameterizedTest(name = "rejects retry ''{0}''")
    @ValueSource(strings = {"abc", "1.5", "-1", "+1", "1e3", " 1", "1 ", "0x10", "\u0663", "\uff11", "10ms"})
    void rejectsANonNumericRetry(String retry) {
        InvalidEventException e = rejected("data: x\nretry: " + retry);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("retry").contains("digits");
    }

    @Test
    void rejectsNulInId() {
        InvalidEventException e = rejected("id: a\u0000b\ndata: x");
        assertThat(e.getMessage()).contains("id").contains("NUL");
    }

    @Test
    void rejectsNulInAnIdThatALaterIdWouldReplace() {
        rejected("id: a\u0000b\nid: c\ndata: x");
    }

    @Test
    void rejectsInvalidUtf8ThatIsAnOverlongSlash() {
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0xC0, (byte) 0xAF});
    }

    @Test
    void rejectsInvalidUtf8ThatIsAnOverlongNul() {
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0xC0, (byte) 0x80});
    }

    @Test
    void rejectsInvalidUtf8ThatIsAThreeByteOverlong() {
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF});
    }

    @Test
    void rejectsInvalidUtf8ThatIsAFourByteOverlong() {
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF});
    }

    @Test
    void rejectsALoneHighSurrogateEncodedInUtf8() {
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
    }

    @Test
    void rejectsALoneLowSurrogateEncodedInUtf8() {
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0xED, (byte) 0xBF, (byte) 0xBF});
    }

    @Test
    void rejectsASurrogatePairEncodedAsTwoUtf8Sequences() {
        // CESU-8 / "modified UTF-8" form of U+1F600
        assertInvalidUtf8(utf8("data: a"),
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80});
    }

    @Test
    void rejectsATruncatedSequenceAtTheEnd() {
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0xE2, (byte) 0x82});
    }

    @Test
    void rejectsATruncatedSequenceFollowedByAscii() {
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, 'x'});
    }

    @Test
    void rejectsALoneContinuationByte() {
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0x80});
    }

    @Test
    void rejectsTheByte0xFF() {
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0xFF});
    }

    @Test
    void rejectsTheByte0xFE() {
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0xFE});
    }

    @Test
    void rejectsACodePointAboveTheUnicodeRange() {
        // F4 90 80 80 would be U+110000
        assertInvalidUtf8(utf8("data: a"), new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
    }

    @Test
    void rejectsInvalidUtf8InAFieldName() {
        assertInvalidUtf8(new byte[] {'d', (byte) 0xFF}, utf8("ata: x"));
    }

    @Test
    void rejectsInvalidUtf8InAComment() {
        assertInvalidUtf8(utf8(":"), concat(new byte[] {(byte) 0xC0, (byte) 0xAF}, utf8("\ndata: x")));
    }

    @Test
    void rejectsInvalidUtf8EvenWithAByteOrderMark() {
        assertInvalidUtf8(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, concat(utf8("data: "),
                new byte[] {(byte) 0xFF}));
    }

    @Test
    void acceptsValidFourByteUtf8() {
        byte[] body = concat(utf8("data: "), new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80});
        assertThat(SseParser.parse(body)).containsExactly(Event.of("\ud83d\ude00"));
    }

    @Test
    void acceptsTheLargestCodePoint() {
        byte[] body = concat(utf8("data: "), new byte[] {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF});
        assertThat(SseParser.parse(body)).containsExactly(Event.of(new String(Character.toChars(0x10FFFF))));
    }

    @Test
    void aBatchWithOneBadEventIsRejectedWhole() {
        assertThatThrownBy(() -> parse("data: 1\n\ndata: 2\n\nbogus: 3\n\ndata: 4"))
                .isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> parse("data: 1\n\nevent: 2\n\ndata: 3"))
                .isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> parse("data: 1\n\ndata: 2\n\ndata: 3\nretry: x"))
                .isInstanceOf(InvalidEventException.class);
    }

    @Test
    void aBatchWithInvalidUtf8AfterGoodEventsIsRejectedWhole() {
        assertInvalidUtf8(utf8("data: 1\n\ndata: 2\n\ndata: "), new byte[] {(byte) 0xFF});
    }

    @Test
    void parseFailuresAreEsperExceptionsWithStatus400() {
        InvalidEventException e = rejected("nope");
        assertThat(e).isInstanceOf(EsperException.class);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.reason()).isEqualTo(e.getMessage());
    }

    // ---- Event: the rules of the value type ------------------------------------------------

    @Test
    void eventOfHasOnlyData() {
        Event e = Event.of("x");
        assertThat(e.data()).isEqualTo("x");
        assertThat(e.name()).isNull();
        assertThat(e.id()).isNull();
        assertThat(e.retry()).isNull();
        assertThat(e.hasId()).isFalse();
    }

    @Test
    void eventDataMustNotBeNull() {
        assertThatThrownBy(() -> Event.of(null)).isInstanceOf(InvalidEventException.class).hasMessageContaining("data");
    }

    @Test
    void eventDataMayBeEmptyAndMayHoldLineFeeds() {
        assertThat(Event.of("").data()).isEmpty();
        assertThat(Event.of("a\n\nb\n").data()).isEqualTo("a\n\nb\n");
    }

    @ParameterizedTest(name = "rejects data {0}")
    @ValueSource(strings = {"\r", "a\rb", "a\r\nb", "a\n\r"})
    void eventDataMustNotContainACarriageReturn(String data) {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> Event.of(data));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("carriage return");
    }

    @ParameterizedTest(name = "rejects name {0}")
    @ValueSource(strings = {"a\nb", "a\rb", "\n", "a\r\n"})
    void eventNameMustNotContainALineBreak(String name) {
        assertThatThrownBy(() -> new Event("x", name, null, null))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("name");
    }

    @ParameterizedTest(name = "rejects id {0}")
    @ValueSource(strings = {"a\nb", "a\rb", "\u0000", "a\u0000b"})
    void eventIdMustNotContainALineBreakOrNul(String id) {
        assertThatThrownBy(() -> new Event("x", null, id, null))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("id");
    }

    @ParameterizedTest(name = "rejects retry {0}")
    @ValueSource(strings = {"abc", "1.5", "-1", " 1", "\u0663", "1\n"})
    void eventRetryMustBeAsciiDigits(String retry) {
        assertThatThrownBy(() -> new Event("x", null, null, retry))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("retry");
    }

    @Test
    void eventRetryMessageCutsAVeryLongValue() {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                () -> new Event("x", null, null, "z".repeat(10_000)));
        assertThat(e.getMessage()).hasSizeLessThan(200);
    }

    @Test
    void emptyNameIdAndRetryMeanNoSuchField() {
        Event e = new Event("x", "", "", "");
        assertThat(e.name()).isNull();
        assertThat(e.id()).isNull();
        assertThat(e.retry()).isNull();
        assertThat(e).isEqualTo(Event.of("x"));
    }

    @Test
    void eventValuesMayHoldSpacesColonsAndUnicode() {
        Event e = new Event(" a: b ", " n:m ", " i d: \ud83d\ude00", "0");
        assertThat(e.name()).isEqualTo(" n:m ");
        assertThat(e.id()).isEqualTo(" i d: \ud83d\ude00");
        assertThat(e.retry()).isEqualTo("0");
        assertThat(e.hasId()).isTrue();
    }

    @Test
    void withersReturnAValidatedCopy() {
        Event base = Event.of("x");
        Event full = base.withName("n").withId("7").withRetry("100");
        assertThat(full).isEqualTo(new Event("x", "n", "7", "100"));
        assertThat(base).isEqualTo(Event.of("x"));
        assertThat(full.withId(null).hasId()).isFalse();
        assertThat(full.withName("").name()).isNull();
        assertThatThrownBy(() -> base.withId("a\u0000")).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> base.withName("a\n")).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> base.withRetry("soon")).isInstanceOf(InvalidEventException.class);
    }

    /**
     * A Java string can hold a lone surrogate, which has no UTF-8 encoding: the encoder would send
     * {@code ?} in its place, so such an event cannot "travel through an SSE stream unchanged".
     */
    @ParameterizedTest(name = "rejects data with lone surrogate {index}")
    @ValueSource(strings = {"\ud800", "a\udfffb", "\ude00\ud83d"})
    void eventDataMustNotContainALoneSurrogate(String data) {
        assertThatThrownBy(() -> Event.of(data)).isInstanceOf(InvalidEventException.class);
    }

    @Test
    void eventNameAndIdMustNotContainALoneSurrogate() {
        assertThatThrownBy(() -> new Event("x", "a\ud800", null, null)).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> new Event("x", null, "a\udc00", null)).isInstanceOf(InvalidEventException.class);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static List<Event> parse(String body) {
        return SseParser.parse(utf8(body));
    }

    private static InvalidEventException rejected(String body) {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> parse(body));
        assertThat(e).as("parse(%s)", body).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        return e;
    }

    private static void assertInvalidUtf8(byte[] head, byte[] tail) {
        byte[] body = concat(head, tail);
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> SseParser.parse(body));
        assertThat(e).as("parse of invalid UTF-8").isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("UTF-8");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
