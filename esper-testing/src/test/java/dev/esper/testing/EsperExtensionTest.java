package dev.esper.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.config.EsperConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The helpers against a real esper. */
class EsperExtensionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    static EsperExtension esper = EsperExtension.withDefaults();

    @Test
    void deliversWhatIsPublishedAfterSubscribeReturns() {
        SseTestClient events = esper.subscribe("abcdef123");

        String answer = esper.publish("abcdef123", "event: testing\ndata: {\"some\":\"data\"}");

        assertThat(answer).contains("\"published\":1");
        SseEvent event = events.awaitEvent(TIMEOUT);
        assertThat(event.event()).isEqualTo("testing");
        assertThat(event.data()).isEqualTo("{\"some\":\"data\"}");
        assertThat(event.id()).isNotEmpty();
        assertThat(events.header("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    }

    @Test
    void awaitsSeveralEventsInPublishOrder() {
        SseTestClient events = esper.subscribe("ordered123");

        esper.publish("ordered123", "data: 1\n\ndata: 2\n\ndata: line one\ndata: line two");

        List<SseEvent> got = events.awaitEvents(3, TIMEOUT);
        assertThat(got).extracting(SseEvent::data).containsExactly("1", "2", "line one\nline two");
    }

    @Test
    void resumesAfterALastEventId() {
        esper.publish("resume1234", "id: a1\ndata: first\n\nid: a2\ndata: second");

        SseTestClient events = esper.subscribe("resume1234", "a1");

        assertThat(events.awaitEvent(TIMEOUT)).isEqualTo(new SseEvent("a2", "message", "second", "resume1234"));
    }

    @Test
    void awaitEventFailsWithAClearMessageWhenNothingArrives() {
        SseTestClient events = esper.subscribe("quiet12345");

        assertThatThrownBy(() -> events.awaitEvent(Duration.ofMillis(200)))
                .isInstanceOf(AssertionError.class).hasMessage("no event within 200 ms");
    }

    @Test
    void aRejectedPublishFailsWithTheStatusAndReason() {
        assertThatThrownBy(() -> esper.publish("abcdef123", "nonsense: 1"))
                .isInstanceOf(AssertionError.class).hasMessageStartingWith("publish to 'abcdef123' answered 400");
    }

    @Test
    void aConnectToANonStreamKeepsTheStatusAndBody() {
        try (SseTestClient client = SseTestClient.connect(esper.baseUri().resolve("subscribe/bad"), Map.of(), TIMEOUT)) {
            assertThat(client.status()).isEqualTo(400);
            assertThat(client.body()).isNotEmpty();
            assertThatThrownBy(() -> client.awaitEvent(Duration.ofMillis(100))).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("400");
        }
    }

    @Test
    void openSidesNeedNoTokenSoNoneCanBeMinted() {
        assertThatThrownBy(() -> esper.subscriberToken("abcdef123")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ESPER_SUBSCRIBER_SECRET");
    }

    @Test
    void aPlainTestServerSignsItsOwnTokensAndEndsStreamsCleanlyWhenClosed() {
        EsperConfig.Builder settings = EsperConfig.builder()
                .subscriberSecret("subscriber-secret-0123456789abcdef")
                .publisherSecret("publisher-secret-0123456789abcdefgh");
        SseTestClient events;
        try (EsperTestServer server = EsperTestServer.start(settings)) {
            events = server.subscribe("secured123");
            server.publish("secured123", "data: signed");
            assertThat(events.awaitEvent(TIMEOUT).data()).isEqualTo("signed");
            assertThat(server.stats()).contains("\"clients\":1");

            try (SseTestClient anonymous = SseTestClient.connect(server.baseUri().resolve("subscribe/secured123"),
                    Map.of(), TIMEOUT)) {
                assertThat(anonymous.status()).isEqualTo(401);
            }
            try (SseTestClient withToken = SseTestClient.connect(server.baseUri().resolve("subscribe/secured123?token="
                    + server.subscriberToken("secured123")), Map.of(), TIMEOUT)) {
                assertThat(withToken.status()).isEqualTo(200);
            }
        }
        events.awaitEnd(TIMEOUT);
    }

    @Test
    void aStreamOfSeveralTopicsGivesEachEventsTopicAndResumesEveryTopicFromItsLastId() {
        SseTestClient page = esper.subscribe(List.of("scores2026", "chatroom26"));
        esper.publish("scores2026", "data: 1-0");
        esper.publish("chatroom26", "data: hello");
        List<SseEvent> first = page.awaitEvents(2, TIMEOUT);
        assertThat(first).extracting(SseEvent::topic).containsExactlyInAnyOrder("scores2026", "chatroom26");
        page.close();
        esper.publish("scores2026", "data: 2-0");

        SseTestClient again = esper.subscribe(List.of("chatroom26", "scores2026"), first.get(1).id());

        SseEvent missed = again.awaitEvent(TIMEOUT);
        assertThat(missed.topic()).isEqualTo("scores2026");
        assertThat(missed.data()).isEqualTo("2-0");
        assertThat(missed.isGap()).isFalse();
    }

    @Test
    void aResumeFromAnIdTheTopicNeverHadStartsWithAnEsperGapThatHasNoTopic() {
        esper.publish("gapped1234", "data: kept");

        SseTestClient events = esper.subscribe("gapped1234", "never-seen");

        SseEvent gap = events.awaitEvent(TIMEOUT);
        assertThat(gap.isGap()).isTrue();
        assertThat(gap.topic()).isEmpty();
        assertThat(gap.data()).isEqualTo("{\"topics\":[\"gapped1234\"]}");
        SseEvent kept = events.awaitEvent(TIMEOUT);
        assertThat(kept.data()).isEqualTo("kept");
        assertThat(kept.topic()).isEqualTo("gapped1234");
    }
}
