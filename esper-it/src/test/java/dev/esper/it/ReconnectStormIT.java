package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SPEC 2.1 resume under load: 5,000 EventSource-like clients lose their connections (half by FIN, half by
 * RST) at different points of a topic, miss what is published meanwhile, and all reconnect at once with
 * {@code Last-Event-ID}. Retention ({@code --history-size}) covers everything they missed, so each must get
 * exactly the events after its own last id, in order, then live events, nothing twice.
 */
@Tag("heavy")
class ReconnectStormIT {
    private static final int CLIENTS = 5_000;
    private static final String TOPIC = "stormtopic1";
    private static final int BEFORE = 40;
    private static final int DURING = 40;
    private static final Pattern ID = Pattern.compile("\"ids\":\\[\"([^\"]+)\"\\]");

    private EsperJar esper;
    private final List<RawSubscriber> open = new ArrayList<>();

    @AfterEach
    void stop() {
        open.forEach(RawSubscriber::close);
        if (esper != null) {
            esper.close();
        }
    }

    /** Publishes event {@code n} and returns the id the server gave it. */
    private String publish(int n) {
        RawHttp.Response r = RawHttp.exchange(esper.port(), RawHttp.publish(TOPIC, "data: event " + n));
        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        Matcher m = ID.matcher(r.bodyText());
        assertThat(m.find()).as(r.bodyText()).isTrue();
        return m.group(1);
    }

    /** How many of the first events client {@code i} read before its connection was lost: 1 to BEFORE. */
    private static int seen(int i) {
        return 1 + i % BEFORE;
    }

    @Test
    void fiveThousandClientsReconnectingAtOnceWithLastEventIdEachGetExactlyWhatTheyMissed() throws IOException {
        esper = EsperJar.start(EsperJar.options().maxHeap("256m").args("--history-size=1000"));
        List<String> ids = new ArrayList<>();

        // Connected: every client reads part of the first events, then its connection is lost.
        List<RawSubscriber> first = Crowd.open(esper.port(), CLIENTS, i -> new Crowd.Ask(TOPIC, null), 60);
        open.addAll(first);
        await().atMost(Duration.ofSeconds(60)).until(() -> esper.stat("clients") == CLIENTS);
        for (int n = 1; n <= BEFORE; n++) {
            ids.add(publish(n));
        }
        String[] lastIds = new String[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            RawSubscriber c = first.get(i);
            List<RawSubscriber.Event> got = c.awaitEvents(seen(i));
            lastIds[i] = got.get(seen(i) - 1).id();
            assertThat(lastIds[i]).isEqualTo(ids.get(seen(i) - 1));
            if (i % 2 == 0) {
                c.close();
            } else {
                c.reset();
            }
        }
        open.clear();
        await().atMost(Duration.ofSeconds(60)).until(() -> esper.stat("clients") == 0);

        // Disconnected: more is published.
        for (int n = BEFORE + 1; n <= BEFORE + DURING; n++) {
            ids.add(publish(n));
        }

        // The storm: all reconnect at once, each with its own Last-Event-ID.
        long start = System.nanoTime();
        List<RawSubscriber> second = Crowd.open(esper.port(), CLIENTS, i -> new Crowd.Ask(TOPIC, lastIds[i]), 120);
        open.addAll(second);
        await().atMost(Duration.ofSeconds(60)).until(() -> esper.stat("clients") == CLIENTS);
        long reconnectMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        String live = publish(BEFORE + DURING + 1);

        for (int i = 0; i < CLIENTS; i++) {
            int missed = BEFORE + DURING - seen(i);
            List<RawSubscriber.Event> got = second.get(i).awaitEvents(missed + 1);
            List<String> expectedData = new ArrayList<>();
            List<String> expectedIds = new ArrayList<>();
            for (int n = seen(i) + 1; n <= BEFORE + DURING + 1; n++) {
                expectedData.add("event " + n);
                expectedIds.add(n == BEFORE + DURING + 1 ? live : ids.get(n - 1));
            }
            int client = i;
            assertThat(got).as("client %d (last id %s)", client, lastIds[i]).extracting(RawSubscriber.Event::data)
                    .containsExactlyElementsOf(expectedData);
            assertThat(got).extracting(RawSubscriber.Event::id).containsExactlyElementsOf(expectedIds);
        }
        System.out.printf("reconnect storm: %,d clients reconnected with Last-Event-ID in %d ms; RSS %,d KiB; "
                + "stats %s%n", CLIENTS, reconnectMillis, esper.rssKib(), esper.stats());
        assertThat(esper.stat("dropped")).isZero();
        assertThat(esper.exceptionLines()).isEmpty();
    }
}
