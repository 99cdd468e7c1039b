package dev.esper.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.background.BackgroundEventHandler;
import com.launchdarkly.eventsource.background.BackgroundEventSource;
import dev.esper.config.EsperConfig;
import dev.esper.testing.EsperTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A second client nobody on this project wrote: LaunchDarkly's okhttp-eventsource, a Java SSE client that
 * follows the WHATWG parsing rules, sends its token in the {@code Authorization} header, and reconnects
 * with {@code Last-Event-ID} by itself.
 */
class OkHttpEventSourceClientTest {
    private static final String SUBSCRIBER_SECRET = "subscriber-secret-for-the-okhttp-tests-0123456789";
    private static final String PUBLISHER_SECRET = "publisher-secret-for-the-okhttp-tests-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private EsperTestServer esper;
    private CuttingProxy proxy;
    private BackgroundEventSource source;
    private final List<MessageEvent> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger opens = new AtomicInteger();

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (esper != null) {
            esper.close();
        }
    }

    private void connect(String base, String topic) {
        BackgroundEventHandler handler = handler(opens, received);
        ConnectStrategy http = ConnectStrategy.http(URI.create(base + "/subscribe/" + topic))
                .header("Authorization", "Bearer " + esper.subscriberToken(topic));
        source = new BackgroundEventSource.Builder(handler,
                new EventSource.Builder(http).retryDelay(100, TimeUnit.MILLISECONDS)).build();
        source.start();
        await().atMost(WAIT).until(() -> opens.get() >= 1);
    }

    private void startEsper() {
        esper = EsperTestServer.start(EsperConfig.builder()
                .subscriberSecret(SUBSCRIBER_SECRET).publisherSecret(PUBLISHER_SECRET));
        proxy = CuttingProxy.to(esper.baseUri().getPort());
    }

    @Test
    void receivesNamedMultiLineAndNonAsciiEventsExactlyAsPublished() {
        startEsper();
        connect(proxy.base(), "okhttptopic1");

        esper.publish("okhttptopic1", "event: testing\ndata: {\"some\":\"data\"}");
        esper.publish("okhttptopic1", "data: first line\ndata:\ndata: third: with a colon");
        esper.publish("okhttptopic1", "id: custom-id\ndata: gr\u00fc\u00dfe \u2603 \ud83d\ude80");

        await().atMost(WAIT).until(() -> received.size() >= 3);
        assertThat(received.get(0).getEventName()).isEqualTo("testing");
        assertThat(received.get(0).getData()).isEqualTo("{\"some\":\"data\"}");
        assertThat(received.get(1).getEventName()).isEqualTo("message");
        assertThat(received.get(1).getData()).isEqualTo("first line\n\nthird: with a colon");
        assertThat(received.get(2).getData()).isEqualTo("gr\u00fc\u00dfe \u2603 \ud83d\ude80");
        assertThat(received.get(2).getLastEventId()).isEqualTo("custom-id");
    }

    @Test
    void reconnectsByItselfWithLastEventIdAndGetsExactlyWhatItMissed() {
        startEsper();
        String topic = "okhttptopic2";
        connect(proxy.base(), topic);
        esper.publish(topic, "data: e1");
        esper.publish(topic, "data: e2");
        await().atMost(WAIT).until(() -> received.size() >= 2);

        proxy.hold();
        proxy.cutAll();
        await().atMost(WAIT).until(() -> proxy.accepted() >= 2);
        esper.publish(topic, "data: e3");
        esper.publish(topic, "data: e4");
        proxy.release();
        await().atMost(WAIT).until(() -> opens.get() >= 2);
        esper.publish(topic, "data: e5");

        await().atMost(WAIT).until(() -> received.size() >= 5);
        assertThat(received).extracting(MessageEvent::getData).containsExactly("e1", "e2", "e3", "e4", "e5");
    }

    /**
     * okhttp-eventsource's default read timeout is 5 s ({@code HttpConnectStrategy.DEFAULT_READ_TIMEOUT_MILLIS}),
     * shorter than esper's default heartbeat (15 s): left at its defaults, the client drops an idle stream every
     * 5 s and reconnects. docs/clients.md tells users to raise it above the heartbeat, as the second client does.
     */
    @Test
    void itsDefaultFiveSecondReadTimeoutDropsAnIdleStreamAndARaisedOneKeepsIt() {
        startEsper();
        AtomicInteger defaultOpens = new AtomicInteger();
        AtomicInteger raisedOpens = new AtomicInteger();
        ConnectStrategy defaults = ConnectStrategy.http(URI.create(esper.baseUri() + "subscribe/idletopic1"))
                .header("Authorization", "Bearer " + esper.subscriberToken("idletopic1"));
        ConnectStrategy raised = ConnectStrategy.http(URI.create(esper.baseUri() + "subscribe/idletopic1"))
                .header("Authorization", "Bearer " + esper.subscriberToken("idletopic1"))
                .readTimeout(60, TimeUnit.SECONDS);
        try (BackgroundEventSource a = counting(defaults, defaultOpens);
                BackgroundEventSource b = counting(raised, raisedOpens)) {
            a.start();
            b.start();
            await().atMost(Duration.ofSeconds(14)).until(() -> defaultOpens.get() >= 2);
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() -> raisedOpens.get() == 1);
        }
    }

    private static BackgroundEventSource counting(ConnectStrategy http, AtomicInteger opens) {
        return new BackgroundEventSource.Builder(handler(opens, new CopyOnWriteArrayList<>()),
                new EventSource.Builder(http).retryDelay(100, TimeUnit.MILLISECONDS)).build();
    }

    /** Counts opens and keeps the messages. */
    private static BackgroundEventHandler handler(AtomicInteger opens, List<MessageEvent> received) {
        return new BackgroundEventHandler() {
            @Override
            public void onOpen() {
                opens.incrementAndGet();
            }

            @Override
            public void onClosed() {
            }

            @Override
            public void onMessage(String event, MessageEvent message) {
                received.add(message);
            }

            @Override
            public void onComment(String comment) {
            }

            @Override
            public void onError(Throwable t) {
            }
        };
    }
}
