package dev.esper.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import dev.esper.testing.EsperTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * esper as browsers use it: a real headless Chromium, a page served from another origin (another port), and
 * the browser's own {@code EventSource} (SPEC 2.1, 3, 5).
 */
class BrowserEventSourceTest {
    private static final String SUBSCRIBER_SECRET = "subscriber-secret-for-the-browser-tests-0123456789";
    private static final String PUBLISHER_SECRET = "publisher-secret-for-the-browser-tests-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final Chromium CHROMIUM = new Chromium();
    private EsperTestServer esper;
    private CuttingProxy proxy;

    @AfterEach
    void stopEsper() {
        CHROMIUM.browser().open("about:blank");
        if (proxy != null) {
            proxy.close();
        }
        if (esper != null) {
            esper.close();
        }
    }

    private void startEsper(EsperConfig.Builder settings) {
        esper = EsperTestServer.start(settings.subscriberSecret(SUBSCRIBER_SECRET).publisherSecret(PUBLISHER_SECRET));
        proxy = CuttingProxy.to(esper.baseUri().getPort());
    }

    private String esperBase() {
        String base = esper.baseUri().toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> received() {
        Object v = CHROMIUM.browser().js("return window.received || [];");
        return v == null ? List.of() : (List<Map<String, Object>>) v;
    }

    private List<String> receivedData() {
        List<String> data = new ArrayList<>();
        for (Map<String, Object> e : received()) {
            data.add((String) e.get("data"));
        }
        return data;
    }

    private void awaitOpen(int opens) {
        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.opens || 0;") >= opens);
    }

    @Test
    void aPageOnAnotherOriginReceivesUnnamedNamedMultiLineAndNonAsciiEventsExactlyAsPublished() {
        startEsper(EsperConfig.builder());
        String topic = "browsertopic1";
        assertThat(CHROMIUM.pages().origin()).isNotEqualTo(esperBase());
        CHROMIUM.browser().open(CHROMIUM.pages().clientPage(esperBase(), topic, esper.subscriberToken(topic)));
        awaitOpen(1);

        esper.publish(topic, "data: plain message");
        esper.publish(topic, "event: testing\ndata: {\"some\":\"data\"}");
        esper.publish(topic, "data: line one\ndata:  line two starts with a space\ndata:");
        esper.publish(topic, "data: h\u00e9llo w\u00f6rld \u2014 \u65e5\u672c\u8a9e \ud83c\udf89 \u0663");

        await().atMost(WAIT).until(() -> received().size() >= 4);
        List<Map<String, Object>> events = received();
        assertThat(events).hasSize(4);
        assertThat(events.get(0)).containsEntry("type", "message").containsEntry("data", "plain message");
        assertThat(events.get(1)).containsEntry("type", "testing").containsEntry("data", "{\"some\":\"data\"}");
        assertThat(events.get(2)).containsEntry("type", "message")
                .containsEntry("data", "line one\n line two starts with a space\n");
        assertThat(events.get(3)).containsEntry("data", "h\u00e9llo w\u00f6rld \u2014 \u65e5\u672c\u8a9e \ud83c\udf89 \u0663");
        assertThat(events).extracting(e -> e.get("lastEventId")).doesNotContainNull().doesNotHaveDuplicates();
    }

    @Test
    void aPageOnAnOriginThatIsNotListedIsBlockedByTheBrowser() {
        startEsper(EsperConfig.builder().corsOrigins(List.of("http://allowed.example")));
        String topic = "browsertopic2";
        CHROMIUM.browser().open(CHROMIUM.pages().clientPage(esperBase(), topic, esper.subscriberToken(topic)));

        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.errors || 0;") >= 1);
        assertThat(CHROMIUM.browser().jsLong("return window.es.readyState;")).isEqualTo(2);
        assertThat(CHROMIUM.browser().jsLong("return window.opens;")).isZero();
    }

    @Test
    void afterABrokenConnectionTheBrowserReconnectsWithLastEventIdAndHasEveryEventOnce() {
        startEsper(EsperConfig.builder());
        String topic = "browsertopic3";
        CHROMIUM.browser().open(CHROMIUM.pages().clientPage(proxy.base(), topic, esper.subscriberToken(topic)));
        awaitOpen(1);
        esper.publish(topic, "retry: 200\ndata: e1");
        esper.publish(topic, "data: e2");
        await().atMost(WAIT).until(() -> received().size() >= 2);

        proxy.hold();
        proxy.cutAll();
        await().atMost(WAIT).until(() -> proxy.accepted() >= 2);
        esper.publish(topic, "data: e3");
        esper.publish(topic, "data: e4");
        proxy.release();
        awaitOpen(2);
        esper.publish(topic, "data: e5");

        await().atMost(WAIT).until(() -> received().size() >= 5);
        assertThat(receivedData()).containsExactly("e1", "e2", "e3", "e4", "e5");
        assertThat(proxy.accepted()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aRejectedTokenIsVisibleToThePageAndTheBrowserDoesNotRetry() {
        startEsper(EsperConfig.builder());
        String topic = "browsertopic4";
        CHROMIUM.browser().open(CHROMIUM.pages().clientPage(proxy.base(), topic, "not.a.token"));

        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.errors || 0;") >= 1);
        assertThat(CHROMIUM.browser().jsLong("return window.es.readyState;")).as("EventSource.CLOSED").isEqualTo(2);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> proxy.accepted() == 1 && CHROMIUM.browser().jsLong("return window.errors;") == 1);
        assertThat(CHROMIUM.browser().jsLong("return window.opens;")).isZero();
    }

    @Test
    void aTokenForAnotherTopicIsRefusedToThePageToo() {
        startEsper(EsperConfig.builder());
        CHROMIUM.browser().open(CHROMIUM.pages().clientPage(esperBase(), "browsertopic5", esper.subscriberToken("someothertopic")));

        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.errors || 0;") >= 1);
        assertThat(CHROMIUM.browser().jsLong("return window.es.readyState;")).isEqualTo(2);
        assertThat(received()).isEmpty();
    }
}
