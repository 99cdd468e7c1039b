package dev.esper.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import dev.esper.testing.EsperTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC 8 as browsers use it: a real headless Chromium, a page on another origin, and the browser's own
 * {@code EventSource} following several topics on one stream, including its own reconnect with
 * {@code Last-Event-ID} after a cut.
 */
class BrowserMultiTopicTest {
    private static final String SUBSCRIBER_SECRET = "subscriber-secret-for-the-browser-tests-0123456789";
    private static final String PUBLISHER_SECRET = "publisher-secret-for-the-browser-tests-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(30);

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

    private void startEsper() {
        esper = EsperTestServer.start(EsperConfig.builder().subscriberSecret(SUBSCRIBER_SECRET)
                .publisherSecret(PUBLISHER_SECRET).historySize(1000));
        proxy = CuttingProxy.to(esper.baseUri().getPort());
    }

    private String esperBase() {
        String base = esper.baseUri().toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private static List<String> topics(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(String script) {
        Object v = CHROMIUM.browser().js(script);
        return v == null ? List.of() : (List<Map<String, Object>>) v;
    }

    @Test
    void tenTopicsOnOneStreamSurviveACutWhilePublishingGoesOnAndThePageEndsWithEveryEventExactlyOnce()
            throws Exception {
        startEsper();
        List<String> topics = topics("browsermulti", 10);
        CHROMIUM.browser().open(CHROMIUM.pages().multiTopicPage(proxy.base(), topics, esper.subscriberToken(topics), 1));
        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.opens || 0;") >= 1);
        // A short reconnection time for this stream (the browser keeps the last retry it was sent).
        esper.publish(topics.get(0), "retry: 200\ndata: " + topics.get(0) + "#0");

        Map<String, List<String>> published = new LinkedHashMap<>();
        topics.forEach(t -> published.put(t, new ArrayList<>()));
        published.get(topics.get(0)).add(topics.get(0) + "#0");
        AtomicInteger round = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread publisher = new Thread(() -> {
            while (!stop.get() && round.get() < 400) {
                int r = round.incrementAndGet();
                for (int k = 0; k < topics.size(); k++) {
                    // Topic k every k+1 rounds: busy and quiet topics on the same stream.
                    if (r % (k + 1) == 0) {
                        String data = topics.get(k) + "#" + r;
                        synchronized (published) {
                            published.get(topics.get(k)).add(data);
                        }
                        esper.publish(topics.get(k), "data: " + data);
                    }
                }
            }
        }, "test-publisher");
        publisher.start();
        await().atMost(WAIT).until(() -> list("return window.received;").size() >= 50);

        proxy.hold();
        proxy.cutAll();
        await().atMost(WAIT).until(() -> proxy.accepted() >= 2);
        int atCut = round.get();
        await().atMost(WAIT).until(() -> round.get() >= atCut + 20);
        proxy.release();
        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.opens;") >= 2);
        await().atMost(WAIT).until(() -> round.get() >= atCut + 60);
        stop.set(true);
        publisher.join(20_000);

        int total;
        synchronized (published) {
            total = published.values().stream().mapToInt(List::size).sum();
        }
        await().atMost(WAIT).until(() -> list("return window.received;").size() >= total);
        List<Map<String, Object>> received = list("return window.received;");
        assertThat(received).hasSize(total);
        for (String t : topics) {
            assertThat(received.stream().filter(e -> t.equals(e.get("topic"))).map(e -> (String) e.get("data")).toList())
                    .as("what the page received of %s, by the topic of each event's id", t)
                    .containsExactlyElementsOf(published.get(t));
        }
        assertThat(list("return window.gaps;")).as("a resume within retention is complete").isEmpty();
        assertThat(CHROMIUM.browser().jsLong("return window.opens;")).as("the browser's own reconnect").isEqualTo(2);
    }

    @Test
    void eightStreamsToOneOriginOverHttp1GetSixConnectionsAndTheOtherTwoWaitUntilOneCloses() {
        startEsper();
        List<String> topics = topics("sixlimit", 3);
        CHROMIUM.browser().open(CHROMIUM.pages().multiTopicPage(esperBase(), topics, esper.subscriberToken(topics), 8));

        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.opens;") >= 6);
        // The browser keeps at most six HTTP/1.1 connections to one host: two EventSources stay CONNECTING (0),
        // with no request sent, for as long as the first six are open.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> CHROMIUM.browser().jsLong("return window.opens;") == 6
                        && esper.stats().contains("\"clients\":6"));
        assertThat(CHROMIUM.browser().jsLong("return window.streams.filter((es) => es.readyState === 0).length;")).isEqualTo(2);
        esper.publish(topics.get(1), "data: to six");
        await().atMost(WAIT).until(() -> list("return window.received;").size() >= 6);
        assertThat(list("return window.received;")).hasSize(6);

        CHROMIUM.browser().js("window.streams.find((es) => es.readyState === 1).close();");

        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.opens;") == 7);
        assertThat(CHROMIUM.browser().jsLong("return window.streams.filter((es) => es.readyState === 0).length;")).isEqualTo(1);
    }
}
