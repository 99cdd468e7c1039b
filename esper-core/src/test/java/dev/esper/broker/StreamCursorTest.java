package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.topic.TopicId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The cursor of SPEC 8: its characters, its size, and that it reads back only for the stream it was written for. */
class StreamCursorTest {
    private static final long NOW = 1_795_953_600_000L * 1000;

    private static List<TopicId> topics(int n) {
        List<TopicId> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TopicId.of(String.format("topic%04d", i)));
        }
        return out;
    }

    private static String id(List<TopicId> topics, long[] slots, int own) {
        return topics.get(own).value() + ":" + StreamCursor.toString(StreamCursor.check(topics), slots, own);
    }

    @Test
    void readsBackTheSlotsItWasWrittenWith() {
        List<TopicId> topics = topics(3);
        long[] slots = {NOW + 17, NOW - 300_000_000, -1};

        long[] read = StreamCursor.read(id(topics, slots, 0), topics, StreamCursor.check(topics));

        assertThat(read).containsExactly(slots);
    }

    @Test
    void usesOnlyTheCharactersTheSpecAllows() {
        Random random = new Random(8);
        for (int n = 1; n <= 32; n++) {
            List<TopicId> topics = topics(n);
            long[] slots = new long[n];
            for (int i = 0; i < n; i++) {
                slots[i] = random.nextInt(4) == 0 ? -1 : NOW - random.nextInt(1_000_000_000);
            }
            slots[n - 1] = NOW;
            String cursor = StreamCursor.toString(StreamCursor.check(topics), slots, n - 1);
            assertThat(cursor).matches("[A-Za-z0-9._~-]+");
        }
    }

    @Test
    void staysWithin1024CharactersAt32TopicsWhateverThePositions() {
        List<TopicId> topics = topics(32);
        long[] extreme = new long[32];
        for (int i = 0; i < 32; i++) {
            extreme[i] = i % 2 == 0 ? -1 : Long.MAX_VALUE - 1;
        }
        extreme[0] = 0;

        String worst = StreamCursor.toString(StreamCursor.check(topics), extreme, 0);

        assertThat(worst.length()).isLessThanOrEqualTo(StreamCursor.maxLength(32)).isLessThanOrEqualTo(1024);
        assertThat(StreamCursor.read("topic0000:" + worst, topics, StreamCursor.check(topics))).containsExactly(extreme);
    }

    @Test
    void isShortWhenItsTopicsMovedRecently() {
        List<TopicId> topics = topics(32);
        long[] slots = new long[32];
        for (int i = 0; i < 32; i++) {
            slots[i] = NOW - 60_000_000L * i;     // the last event of topic i was i minutes ago (Redis-like positions)
        }

        assertThat(StreamCursor.toString(StreamCursor.check(topics), slots, 0).length()).isLessThan(250);
    }

    @Test
    void anIdOfAnotherTopicSetOrAnotherFormIsNotACursorOfThisStream() {
        List<TopicId> three = topics(3);
        long[] slots = {NOW, NOW - 5, NOW - 9};
        String good = id(three, slots, 0);
        byte[] check = StreamCursor.check(three);
        List<TopicId> other = List.of(three.get(0), three.get(1), TopicId.of("elsewhere1"));

        assertThat(StreamCursor.read(good, other, StreamCursor.check(other))).isNull();
        assertThat(StreamCursor.read(good, three.subList(0, 2), StreamCursor.check(three.subList(0, 2)))).isNull();
        for (String bad : List.of("", "12345", "topic0000", "topic0000:", "nosuchtopic:" + good.substring(10),
                "topic0001:" + good.substring(10), good + ".A", good.replace(".", ".."), good + "!",
                good.replace(':', ';'), "topic0000:2" + good.substring(11), good.substring(0, good.length() - 2),
                "topic0000:1" + "AAAAAA" + good.substring(17), good.replace(".A", ".AA"),
                "topic0000:1" + good.substring(11, 17) + ".P__________.A.A.A")) {
            assertThat(StreamCursor.read(bad, three, check)).as(bad).isNull();
        }
    }

    @Test
    void theCheckDependsOnTheTopicSetOnly() {
        List<TopicId> a = List.of(TopicId.of("aaaaaaaa"), TopicId.of("bbbbbbbb"));
        List<TopicId> b = List.of(TopicId.of("aaaaaaaa"), TopicId.of("bbbbbbbc"));

        assertThat(StreamCursor.check(a)).isEqualTo(StreamCursor.check(List.of(TopicId.of("AAAAAAAA"),
                TopicId.of("bbbbbbbb")))).isNotEqualTo(StreamCursor.check(b)).hasSize(6);
    }
}
