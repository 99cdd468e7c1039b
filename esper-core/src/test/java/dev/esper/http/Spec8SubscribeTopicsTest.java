package dev.esper.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.FakeTokenVerifier;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC 8 in the HTTP API: {@code GET /subscribe?topic=…&topic=…}, its checks in order, and its stream. */
class Spec8SubscribeTopicsTest {
    private static final long NOW = 1_800_000_000L;
    private static final String BOTH = "eyJib3Ro.eyJ0b3BpY3MiOlsiYSIsImIiXX0.Ym90aFNFQ1JFVA";
    private static final String ONLY_A = "eyJvbmx5.eyJzdWIiOiJhIn0.b25seVNFQ1JFVA";

    private final AccessPolicy openPolicy = AccessPolicy.openToAll();
    private final AccessPolicy protectedPolicy = AccessPolicy.builder()
            .protect(Side.SUBSCRIBER, new FakeTokenVerifier()
                    .accept(BOTH, Map.of("topics", List.of("topicaaaa", "TOPICBBBB"), "exp", NOW + 60))
                    .accept(ONLY_A, Map.of("sub", "topicaaaa", "exp", NOW + 60)))
            .open(Side.PUBLISHER)
            .clock(InstantSource.fixed(Instant.ofEpochSecond(NOW)))
            .build();
    private final Broker broker = Broker.builder().deliveryExecutor(Runnable::run).build();

    @AfterEach
    void close() {
        broker.close(Duration.ZERO);
    }

    private Admission decide(String query) {
        return Admission.decide("GET", "/subscribe", null, query, openPolicy, 3);
    }

    @Test
    void everyListedTopicIsFollowedOnceInTheOrderAsked() {
        Admission a = decide("topic=topicbbbb&lastEventId=x&topic=topicaaaa&topic=TOPICBBBB");

        assertThat(a.action()).isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(a.topic()).isNull();
        assertThat(a.topics()).containsExactly(TopicId.of("topicbbbb"), TopicId.of("topicaaaa"));
        assertThat(a).hasToString("Admission[SUBSCRIBE [topicbbbb, topicaaaa]]");
    }

    @Test
    void withoutATopicIs400SayingHowToAskForOne() {
        for (String query : new String[] {null, "", "lastEventId=1", "topics=topicaaaa"}) {
            Admission a = decide(query);
            assertThat(a.status()).as(query).isEqualTo(400);
            assertThat(a.reason()).as(query).startsWith("GET /subscribe needs at least one topic");
        }
    }

    @ParameterizedTest(name = "topic ''{0}''")
    @ValueSource(strings = {"short", "", "topic-aaaa", "topic%20aaaa", "topic%C3%A9aaa"})
    void anInvalidTopicIs400NamingIt(String bad) {
        Admission a = decide("topic=topicaaaa&topic=" + bad);

        assertThat(a.status()).isEqualTo(400);
        assertThat(a.reason()).startsWith("topic id must be 8-64 ASCII letters or digits, was '");
    }

    @Test
    void moreTopicsThanTheLimitIs400NamingTheLimitButEqualIdsCountOnce() {
        assertThat(decide("topic=topicaaaa&topic=topicbbbb&topic=topiccccc&topic=TOPICaaaa").topics()).hasSize(3);

        Admission a = decide("topic=topicaaaa&topic=topicbbbb&topic=topiccccc&topic=topicdddd");

        assertThat(a.status()).isEqualTo(400);
        assertThat(a.reason()).isEqualTo("a stream may follow at most 3 topics (the max-stream-topics limit), was 4");
    }

    @Test
    void theChecksRunInTheSpecsOrderMethodThenTopicsThenToken() {
        assertThat(Admission.decide("POST", "/subscribe", null, "topic=x", openPolicy, 3).status()).isEqualTo(405);
        assertThat(Admission.decide("GET", "/subscribe", null, "topic=x", protectedPolicy, 3).status())
                .isEqualTo(400);
        assertThat(Admission.decide("OPTIONS", "/subscribe", null, "topic=topicaaaa", protectedPolicy, 3).status())
                .isEqualTo(204);
        assertThat(Admission.decide("GET", "/subscribe", null, "topic=topicaaaa", protectedPolicy, 3).status())
                .isEqualTo(401);
    }

    @Test
    void theTokenMustGrantEveryTopicAndTheRefusalNamesThoseItDoesNot() {
        String query = "topic=topicaaaa&topic=topicbbbb&topic=topiccccc";

        Admission refused = Admission.decide("GET", "/subscribe", "Bearer " + ONLY_A, query, protectedPolicy, 3);
        Admission granted = Admission.decide("GET", "/subscribe", "Bearer " + BOTH, "topic=topicbbbb&topic=topicaaaa",
                protectedPolicy, 3);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.reason()).isEqualTo("token does not grant topics 'topicbbbb', 'topiccccc'");
        assertThat(granted.action()).isEqualTo(Admission.Action.SUBSCRIBE);
    }

    @Test
    void theApiStreamsEveryTopicWithCursorIdsAndResumesFromThem() {
        HttpApi api = HttpApi.create(broker, EsperConfig.builder().maxStreamTopics(2).build(), openPolicy);
        FakeExchange first = new FakeExchange("GET", "/subscribe", "topic=topicaaaa&topic=topicbbbb");
        api.handle(first);
        broker.publish(TopicId.of("topicaaaa"), Event.of("a1"));
        broker.publish(TopicId.of("topicbbbb"), Event.of("b1"));
        String text = first.streamed.toString();
        assertThat(text).startsWith(":ok\n\nid: topicaaaa:1").contains("\ndata: a1\n\nid: topicbbbb:1");
        String lastId = text.substring(text.lastIndexOf("id: ") + 4, text.indexOf('\n', text.lastIndexOf("id: ")));
        first.clientLeft.run();
        broker.publish(TopicId.of("topicaaaa"), Event.of("a2"));

        FakeExchange resumed = new FakeExchange("GET", "/subscribe", "topic=topicbbbb&topic=topicaaaa")
                .header("Last-Event-ID", lastId);
        api.handle(resumed);

        assertThat(resumed.streamed.toString()).startsWith(":ok\n\nid: topicaaaa:1").endsWith("\ndata: a2\n\n")
                .doesNotContain("esper-gap").doesNotContain("a1").doesNotContain("b1");
        FakeExchange tooMany = new FakeExchange("GET", "/subscribe", "topic=topicaaaa&topic=topicbbbb&topic=topiccccc");
        api.handle(tooMany);
        assertThat(tooMany.answer().status()).isEqualTo(400);
        assertThat(broker.stats().clients()).isEqualTo(1);
    }
}
