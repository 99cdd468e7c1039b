package dev.esper.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.auth.AccessPolicy;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link HttpApi} through a hand-written {@link Exchange}: what every front end answers, decided once. */
class HttpApiTest {
    private final Broker broker = Broker.builder().deliveryExecutor(Runnable::run).maxSubscribers(2).build();
    private final HttpApi api = HttpApi.create(broker,
            EsperConfig.builder().maxBody(100).corsOrigins(List.of("https://app.example")).build(),
            AccessPolicy.openToAll());

    @AfterEach
    void close() {
        broker.close(Duration.ZERO);
    }

    private FakeExchange serve(FakeExchange ex) {
        api.handle(ex);
        return ex;
    }

    @Test
    void anUnknownRouteIs404WithCorsHeadersAndAJsonReason() {
        Answer a = serve(new FakeExchange("GET", "/nope", null).header("Origin", "https://app.example")).answer();
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
        assertThat(a.header("Vary")).isEqualTo("Origin");
        assertThat(a.header("Cache-Control")).isEqualTo("no-store");
        assertThat(a.header("Content-Type")).isEqualTo(HttpApi.JSON);
        assertThat(a.bodyText()).startsWith("{\"error\":\"no such route");
        assertThat(a.closesConnection()).isFalse();
        assertThat(a.header("Connection")).isNull();
    }

    @Test
    void anOriginThatIsNotListedGetsNoAllowOriginHeader() {
        Answer a = serve(new FakeExchange("GET", "/stats", null).header("Origin", "https://evil.example")).answer();
        assertThat(a.header("Access-Control-Allow-Origin")).isNull();
        assertThat(a.header("Vary")).isEqualTo("Origin");
    }

    @Test
    void aRejectionBeforeAnUnreadBodyClosesTheConnection() {
        Answer a = serve(new FakeExchange("POST", "/publish/short", null).header("Content-Length", "9")).answer();
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.closesConnection()).isTrue();
        assertThat(a.header("Connection")).isEqualTo("close");
        Answer chunked = serve(new FakeExchange("POST", "/nope", null).header("Transfer-Encoding", "chunked")).answer();
        assertThat(chunked.closesConnection()).isTrue();
    }

    @Test
    void aTopicWithAnEncodedPercentOrNulIs400WithTheTopicIdRule() {
        for (String path : List.of("/subscribe/abcdef%25123", "/subscribe/abcdef%00123", "/publish/abc%zz12345",
                "/subscribe/abcdef%C3%A9123", "/subscribe/abcdef%FF123")) {
            Answer a = serve(new FakeExchange(path.startsWith("/publish") ? "POST" : "GET", path, null)).answer();
            assertThat(a.status()).as(path).isEqualTo(400);
            assertThat(a.bodyText()).as(path).contains("8-64 ASCII letters or digits");
        }
    }

    @Test
    void anEncodedTopicIsDecodedBeforeItIsChecked() {
        FakeExchange ex = serve(new FakeExchange("GET", "/subscribe/ABCdef%31%32%33", null));
        assertThat(ex.answers).isEmpty();
        assertThat(ex.head.status()).isEqualTo(200);
        assertThat(broker.stats().clients()).isEqualTo(1);
        broker.publish(TopicId.of("abcdef123"), Event.of("hello"));
        assertThat(ex.streamed.toString()).contains("data: hello\n\n");
    }

    @Test
    void statsAreAnsweredAsJsonThatIsNeverCached() {
        Answer a = serve(new FakeExchange("GET", "/stats", null)).answer();
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.header("Cache-Control")).isEqualTo("no-store");
        assertThat(a.bodyText()).contains("\"clients\":0");
    }

    @Test
    void aPreflightIs204WithTheAllowedMethodsAndHeaders() {
        Answer a = serve(new FakeExchange("OPTIONS", "/publish/abcdef123", null)
                .header("Origin", "https://app.example")).answer();
        assertThat(a.status()).isEqualTo(204);
        assertThat(a.header("Access-Control-Allow-Methods")).isEqualTo("POST, OPTIONS");
        assertThat(a.header("Access-Control-Allow-Headers")).contains("Authorization");
        assertThat(a.bodyLength()).isZero();
    }

    @Test
    void aBodyArrivingInPiecesIsPublishedOnceItEnds() {
        FakeExchange ex = serve(new FakeExchange("POST", "/publish/abcdef123", null));
        assertThat(ex.answers).isEmpty();
        ex.feed("event: e\nda", false);
        assertThat(ex.answers).isEmpty();
        ex.feed("ta: one\n", true);
        Answer a = ex.answer();
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.bodyText()).contains("\"published\":1");
        assertThat(a.header("Access-Control-Allow-Origin")).isNull();
        assertThat(a.closesConnection()).isFalse();
        assertThat(ex.timers).as("the body timer is cancelled").isEmpty();
        assertThat(broker.stats().published()).isEqualTo(1);
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413BeforeAnyByteIsRead() {
        FakeExchange ex = serve(new FakeExchange("POST", "/publish/abcdef123", null).header("Content-Length", "101"));
        assertThat(ex.answer().status()).isEqualTo(413);
        assertThat(ex.answer().closesConnection()).isTrue();
        assertThat(ex.answer().bodyText()).contains("larger than 100 bytes");
        assertThat(ex.demand).isNull();
    }

    @Test
    void aChunkedBodyPassingTheLimitIs413AndPublishesNothing() {
        FakeExchange ex = serve(new FakeExchange("POST", "/publish/abcdef123", null));
        ex.feed("data: " + "x".repeat(90) + "\n", false);
        ex.feed("data: more\n", false);
        assertThat(ex.answer().status()).isEqualTo(413);
        assertThat(ex.answer().closesConnection()).isTrue();
        assertThat(broker.stats().published()).isZero();
    }

    @Test
    void aBrokenBodyIs400AndPublishesNothing() {
        FakeExchange ex = serve(new FakeExchange("POST", "/publish/abcdef123", null));
        ex.feed("data: x\n", false);
        ex.feedFailure();
        assertThat(ex.answer().status()).isEqualTo(400);
        assertThat(ex.answer().bodyText()).contains("could not be read: IOException");
        assertThat(broker.stats().published()).isZero();
    }

    @Test
    void aBodyThatStallsIs408WhenTheTimerFiresAndWhatArrivesLaterIsIgnored() {
        FakeExchange ex = serve(new FakeExchange("POST", "/publish/abcdef123", null));
        ex.feed("data: x\n", false);
        assertThat(ex.timers).hasSize(1);
        ex.timers.get(0).run();
        assertThat(ex.answer().status()).isEqualTo(408);
        assertThat(ex.answer().closesConnection()).isTrue();
        ex.feed("\n", true);
        assertThat(ex.answers).hasSize(1);
        assertThat(broker.stats().published()).isZero();
    }

    @Test
    void aSubscribeOpensTheStreamWithItsHeadersAndTheOpeningComment() {
        FakeExchange ex = serve(new FakeExchange("GET", "/subscribe/abcdef123", null)
                .header("Origin", "https://app.example"));
        assertThat(ex.head.status()).isEqualTo(200);
        assertThat(ex.head.header("Content-Type")).isEqualTo("text/event-stream; charset=utf-8");
        assertThat(ex.head.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(ex.head.header("X-Accel-Buffering")).isEqualTo("no");
        assertThat(ex.head.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
        assertThat(ex.head.closesConnection()).isTrue();
        assertThat(ex.streamed.toString()).isEqualTo(":ok\n\n");
    }

    @Test
    void aResumeReplaysWhatTheTopicRetainsAfterTheLastEventId() {
        broker.publish(TopicId.of("abcdef123"), List.of(Event.of("one").withId("1"), Event.of("two").withId("2")));
        FakeExchange ex = serve(new FakeExchange("GET", "/subscribe/abcdef123", "lastEventId=1"));
        assertThat(ex.streamed.toString()).doesNotContain("data: one").contains("id: 2\ndata: two\n\n");
    }

    @Test
    void aClientThatLeavesIsRemovedFromTheBrokerAndItsResponseAborted() {
        FakeExchange ex = serve(new FakeExchange("GET", "/subscribe/abcdef123", null));
        assertThat(broker.stats().clients()).isEqualTo(1);
        ex.clientLeft.run();
        assertThat(broker.stats().clients()).isZero();
        assertThat(ex.ended).startsWith("aborted");
    }

    @Test
    void closingTheBrokerEndsTheStreamNormallyOnceTheWriteInFlightCompletes() {
        FakeExchange ex = new FakeExchange("GET", "/subscribe/abcdef123", null);
        ex.writesCompleteAtOnce = false;
        serve(ex);
        assertThat(ex.pendingWrite).isNotNull();
        broker.close(Duration.ZERO);
        assertThat(ex.ended).isNull();
        ex.completeWrite();
        assertThat(ex.ended).isEqualTo("closed");
    }

    @Test
    void aSubscribeOverTheLimitIs503WithCorsAndNoStream() {
        serve(new FakeExchange("GET", "/subscribe/abcdef123", null));
        serve(new FakeExchange("GET", "/subscribe/abcdef123", null));
        FakeExchange third = serve(new FakeExchange("GET", "/subscribe/abcdef123", null)
                .header("Origin", "https://app.example"));
        assertThat(third.head).isNull();
        assertThat(third.answer().status()).isEqualTo(503);
        assertThat(third.answer().header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
    }

    @Test
    void aFrontEndThatIsNotReadyAnswersWithAClosingError() {
        Answer a = HttpApi.failure(503, "not initialised");
        assertThat(a.status()).isEqualTo(503);
        assertThat(a.closesConnection()).isTrue();
        assertThat(a.bodyText()).isEqualTo("{\"error\":\"not initialised\"}\n");
    }
}
