package dev.esper.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTML standard's event-stream interpretation, fed in whole and byte by byte. */
class SseParserTest {
    private final List<SseEvent> events = new ArrayList<>();
    private final SseParser parser = new SseParser(events::add);

    private List<SseEvent> feed(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        parser.feed(b, 0, b.length);
        return events;
    }

    private List<SseEvent> feedByteByByte(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            parser.feed(b, i, 1);
        }
        return events;
    }

    @Test
    void dispatchesAnEventAtABlankLineWithTypeMessageByDefault() {
        assertThat(feed("data: hello\n\n")).containsExactly(new SseEvent("", "message", "hello"));
    }

    @Test
    void linesEndWithLfCrOrCrlfEvenWhenSplitAcrossReads() {
        assertThat(feedByteByByte("event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\rdata: 3\n\n")).containsExactly(
                new SseEvent("", "a", "1"), new SseEvent("", "b", "2"), new SseEvent("", "message", "3"));
    }

    @Test
    void joinsDataLinesWithLfAndDropsOnlyOneLeadingSpace() {
        assertThat(feed("data:one\ndata:  two\ndata\n\n")).containsExactly(new SseEvent("", "message", "one\n two\n"));
    }

    @Test
    void ignoresCommentsUnknownFieldsAndInvalidRetry() {
        assertThat(feed(":ok\n\n: heartbeat\nfoo: bar\nretry: 1x\ndata: x\n\n"))
                .containsExactly(new SseEvent("", "message", "x"));
        assertThat(parser.retry()).isEqualTo(-1);
        feed("retry: 2500\n\n");
        assertThat(parser.retry()).isEqualTo(2500);
    }

    @Test
    void theIdPersistsAcrossEventsAndAnIdWithNulIsIgnored() {
        assertThat(feed("id: 7\ndata: a\n\ndata: b\n\nid: 8\u0000\ndata: c\n\nid\ndata: d\n\n")).containsExactly(
                new SseEvent("7", "message", "a"), new SseEvent("7", "message", "b"),
                new SseEvent("7", "message", "c"), new SseEvent("", "message", "d"));
    }

    @Test
    void aBlockWithoutDataIsNotDispatchedButItsIdCounts() {
        assertThat(feed("event: x\nid: 3\n\ndata: y\n\n")).containsExactly(new SseEvent("3", "message", "y"));
        assertThat(parser.lastEventId()).isEqualTo("3");
    }

    @Test
    void anEventCutOffByTheEndOfTheStreamIsNotDispatched() {
        assertThat(feed("data: complete\n\ndata: partial\n")).containsExactly(new SseEvent("", "message", "complete"));
    }

    @Test
    void aLeadingByteOrderMarkIsDroppedOnce() {
        assertThat(feedByteByByte("\uFEFFdata: a\n\n\uFEFFdata: b\n\n")).containsExactly(
                new SseEvent("", "message", "a"));
    }

    @Test
    void decodesUtf8() {
        assertThat(feedByteByByte("data: é٣\uD83D\uDE00\n\n")).containsExactly(new SseEvent("", "message", "é٣\uD83D\uDE00"));
    }

    @Test
    void anEmptyDataFieldDispatchesAnEmptyEvent() {
        assertThat(feed("data\n\n")).containsExactly(new SseEvent("", "message", ""));
    }

    @Test
    void onAStreamOfSeveralTopicsAnEventsTopicStartsItsOwnIdAndAGapHasNone() {
        List<SseEvent> got = new ArrayList<>();
        SseParser several = new SseParser(got::add, SseParser.Topics.FROM_IDS);
        byte[] b = ("id: scoresaaa:1Abc.x\ndata: 1\n\nevent: esper-gap\ndata: {}\n\nid: chatroomb:1Abc.y\n"
                + "data: 2\n\n").getBytes(StandardCharsets.UTF_8);

        several.feed(b, 0, b.length);

        assertThat(got).extracting(SseEvent::topic).containsExactly("scoresaaa", "", "chatroomb");
        assertThat(got.get(1).isGap()).isTrue();
        assertThat(got.get(1).id()).as("the last id carries over, as in a browser").isEqualTo("scoresaaa:1Abc.x");
    }

    @Test
    void onAStreamOfOneTopicEveryEventButAGapIsThatTopics() {
        List<SseEvent> got = new ArrayList<>();
        SseParser one = new SseParser(got::add, SseParser.Topics.one("abcdef123"));
        byte[] b = "event: esper-gap\ndata: {}\n\nid: 7\ndata: x\n\n".getBytes(StandardCharsets.UTF_8);

        one.feed(b, 0, b.length);

        assertThat(got).extracting(SseEvent::topic).containsExactly("", "abcdef123");
    }
}
