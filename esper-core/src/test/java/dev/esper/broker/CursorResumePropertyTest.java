package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The property of SPEC 8 and 8.1 for a multi-topic stream's cursor: whatever the interleaving of publishes to up
 * to 32 topics (at very different rates, some never), whatever the retention (by count, by age, none) and wherever
 * the connection is cut (inside a chunk too), a resume with the last id the client has gives every topic exactly
 * the events it missed, in order, nothing it had; and names a topic in {@code esper-gap} exactly when retention
 * lost some of what it missed.
 *
 * <p>Each case draws everything from its own seed: case {@code i} uses {@code base + i}, so every run checks the
 * same cases; a failure names its seed. Replay one, or explore others, with
 * {@code mvn -pl esper-core test -Dtest=CursorResumePropertyTest -Desper.seed=N} (the first case then uses N).
 */
class CursorResumePropertyTest {
    private static final String SEED_PROPERTY = "esper.seed";
    private static final long DEFAULT_BASE_SEED = 0x5EED_0008L;
    private static final int TRIES = 400;
    private static final String GAP_PREFIX = "{\"topics\":[";

    @Test
    void aResumeGivesEveryTopicExactlyWhatItMissedAndAGapExactlyWhereRetentionLostSome() {
        String seed = System.getProperty(SEED_PROPERTY);
        long base = seed == null || seed.isBlank() ? DEFAULT_BASE_SEED : Long.parseLong(seed.trim());
        int resumes = 0;
        int gaps = 0;
        for (int i = 0; i < TRIES; i++) {
            long caseSeed = base + i;
            try {
                Outcome o = runCase(new Random(caseSeed));
                resumes += o.resumed ? 1 : 0;
                gaps += o.gaps;
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(String.format("case %d of %d failed with seed %d (replay with -D%s=%d): %s",
                        i + 1, TRIES, caseSeed, SEED_PROPERTY, caseSeed, e.getMessage()), e);
            }
        }
        // The cases must exercise both sides of the property, not pass vacuously.
        assertThat(resumes).isGreaterThan(TRIES * 3 / 4);
        assertThat(gaps).isGreaterThan(TRIES / 10);
    }

    private record Outcome(boolean resumed, int gaps) {
    }

    private static Outcome runCase(Random r) {
        ManualClock clock = new ManualClock();
        int n = 1 + r.nextInt(32);
        List<TopicId> topics = new ArrayList<>(new TreeSet<>(randomTopics(r, n)));
        n = topics.size();
        int historySize = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(30);
        int ttlSeconds = r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(20);
        int[] weights = new int[n];
        int[] choices = {0, 1, 1, 3, 20, 100};
        for (int i = 0; i < n; i++) {
            weights[i] = choices[r.nextInt(choices.length)];
        }
        weights[r.nextInt(n)] += 1;
        Map<TopicId, List<String>> published = new LinkedHashMap<>();
        topics.forEach(t -> published.put(t, new ArrayList<>()));

        Broker broker = Broker.builder().historySize(historySize).historyTtl(Duration.ofSeconds(ttlSeconds))
                .clock(clock).deliveryExecutor(Runnable::run).manualMaintenance().build();
        try {
            steps(r, r.nextInt(20), broker, clock, topics, weights, published, null);
            Map<TopicId, Integer> before = new LinkedHashMap<>();
            published.forEach((t, list) -> before.put(t, list.size()));

            RecordingSubscriber first = RecordingSubscriber.stalled();
            broker.subscribe(topics, null, first);
            steps(r, r.nextInt(250), broker, clock, topics, weights, published, first);

            // The connection is cut: the client has a prefix of what the broker handed it, up to an event boundary.
            List<RecordingSubscriber.Received> sent = first.events();
            List<RecordingSubscriber.Received> had = sent.subList(0, r.nextInt(sent.size() + 1));
            first.subscription.cancel();
            assertThat(first.gaps()).as("no gap on a stream that did not resume").isEmpty();
            Map<TopicId, List<String>> hadByTopic = byTopic(topics, had);
            for (TopicId t : topics) {
                List<String> all = published.get(t);
                int from = before.get(t);
                assertThat(hadByTopic.get(t)).as("what %s's stream carried, in order, once", t)
                        .containsExactlyElementsOf(all.subList(from, from + hadByTopic.get(t).size()));
            }
            if (had.isEmpty()) {
                return new Outcome(false, 0);
            }
            String lastId = had.get(had.size() - 1).id();

            steps(r, r.nextInt(150), broker, clock, topics, weights, published, null);

            List<TopicId> asked = new ArrayList<>();
            topics.forEach(t -> asked.add(r.nextBoolean() ? t : TopicId.of(t.value().toUpperCase(Locale.ROOT))));
            Collections.shuffle(asked, r);
            RecordingSubscriber resumed = RecordingSubscriber.ready();
            broker.subscribe(asked, lastId, resumed);

            Map<TopicId, List<String>> got = byTopic(topics, resumed.events());
            List<String> gapEvents = resumed.gaps();
            assertThat(gapEvents).hasSizeLessThanOrEqualTo(1);
            List<String> gapped = gapEvents.isEmpty() ? List.of() : gappedTopics(gapEvents.get(0));
            assertThat(gapped).as("gap topics, sorted").isSorted();
            for (TopicId t : topics) {
                List<String> all = published.get(t);
                List<String> missed = all.subList(before.get(t) + hadByTopic.get(t).size(), all.size());
                List<String> replayed = got.get(t);
                assertThat(replayed).as("%s: a resume replays the end of what was missed, in order", t)
                        .containsExactlyElementsOf(missed.subList(missed.size() - replayed.size(), missed.size()));
                assertThat(gapped.contains(t.value())).as("%s named in the gap exactly when some of what it missed is "
                        + "lost: missed %s, replayed %s", t, missed, replayed).isEqualTo(replayed.size() < missed.size());
            }

            // And live events follow the replay, once.
            TopicId live = topics.get(r.nextInt(n));
            String liveData = live.value() + "#live";
            broker.publish(live, Event.of(liveData));
            List<String> after = byTopic(topics, resumed.events()).get(live);
            assertThat(after.get(after.size() - 1)).isEqualTo(liveData);
            assertThat(after.stream().filter(liveData::equals).count()).isEqualTo(1);
            return new Outcome(true, gapped.size());
        } finally {
            broker.close(Duration.ZERO);
        }
    }

    /** Random publishes (batches of 1 to 3), reads of one chunk, clock moves and maintenance passes. */
    private static void steps(Random r, int count, Broker broker, ManualClock clock, List<TopicId> topics, int[] weights,
            Map<TopicId, List<String>> published, RecordingSubscriber reader) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        for (int s = 0; s < count; s++) {
            int action = r.nextInt(100);
            if (action < 60) {
                int pick = r.nextInt(total);
                int i = 0;
                while (pick >= weights[i]) {
                    pick -= weights[i++];
                }
                TopicId t = topics.get(i);
                List<Event> batch = new ArrayList<>();
                for (int k = 1 + r.nextInt(3); k > 0; k--) {
                    String data = t.value() + "#" + published.get(t).size();
                    published.get(t).add(data);
                    batch.add(r.nextInt(4) == 0 ? Event.of(data).withId("own-" + r.nextInt(5)) : Event.of(data));
                }
                broker.publish(t, batch);
            } else if (action < 85) {
                if (reader != null) {
                    reader.subscription.request(1);
                }
            } else if (action < 95) {
                clock.advance(Duration.ofMillis(r.nextInt(5000)));
            } else {
                broker.maintain();
            }
        }
    }

    private static Map<TopicId, List<String>> byTopic(List<TopicId> topics, List<RecordingSubscriber.Received> events) {
        Map<TopicId, List<String>> out = new LinkedHashMap<>();
        topics.forEach(t -> out.put(t, new ArrayList<>()));
        for (RecordingSubscriber.Received e : events) {
            if ("esper-gap".equals(e.name())) {
                continue;
            }
            TopicId t = TopicId.of(e.id().substring(0, e.id().indexOf(':')));
            assertThat(e.data()).as("the id names the event's topic").startsWith(t.value() + "#");
            out.get(t).add(e.data());
        }
        return out;
    }

    private static List<String> gappedTopics(String gapData) {
        assertThat(gapData).startsWith(GAP_PREFIX).endsWith("]}");
        String inner = gapData.substring(GAP_PREFIX.length(), gapData.length() - 2);
        List<String> out = new ArrayList<>();
        for (String quoted : inner.split(",")) {
            out.add(quoted.substring(1, quoted.length() - 1));
        }
        return out;
    }

    private static List<TopicId> randomTopics(Random r, int n) {
        List<TopicId> out = new ArrayList<>();
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder();
            for (int k = 8 + r.nextInt(5); k > 0; k--) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            out.add(TopicId.of(b.toString()));
        }
        return out;
    }
}
