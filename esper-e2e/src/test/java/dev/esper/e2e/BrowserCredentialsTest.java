package dev.esper.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import dev.esper.testing.EsperTestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC 9.3 in a real headless Chromium: a page on another origin subscribes with the token in a cookie of esper's
 * host ({@code EventSource} with {@code withCredentials}), no token in the URL; the browser itself refuses the
 * credentialed stream when esper allows any origin ({@code *}); and the cookie cannot publish.
 */
class BrowserCredentialsTest {
    private static final String SUBSCRIBER_SECRET = "subscriber-secret-for-the-browser-tests-0123456789";
    private static final String PUBLISHER_SECRET = "publisher-secret-for-the-browser-tests-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final Chromium CHROMIUM = new Chromium();
    private EsperTestServer esper;

    @AfterEach
    void stopEsper() {
        CHROMIUM.browser().open("about:blank");
        CHROMIUM.browser().driver.executeCdpCommand("Network.clearBrowserCookies", Map.of());
        if (esper != null) {
            esper.close();
        }
    }

    private String startEsper(EsperConfig.Builder settings) {
        esper = EsperTestServer.start(settings.subscriberSecret(SUBSCRIBER_SECRET).publisherSecret(PUBLISHER_SECRET)
                .noQueryToken(true));
        String base = esper.baseUri().toString();
        return base.substring(0, base.length() - 1);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> received() {
        Object v = CHROMIUM.browser().js("return window.received || [];");
        return v == null ? List.of() : (List<Map<String, Object>>) v;
    }

    @Test
    void aPageOnAnotherOriginSubscribesWithTheCookieOfEspersHostAndNoTokenInTheUrl() {
        String esperBase = startEsper(EsperConfig.builder().corsOrigins(List.of(CHROMIUM.pages().origin())));
        String topic = "cookietopic1";
        CHROMIUM.browser().setCookie(esperBase, "esper_token", esper.subscriberToken(topic));

        CHROMIUM.browser().open(CHROMIUM.pages().credentialsPage(esperBase, topic));
        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.opens || 0;") >= 1);
        esper.publish(topic, "data: via the cookie");

        await().atMost(WAIT).until(() -> received().size() >= 1);
        assertThat(received().get(0)).containsEntry("data", "via the cookie");
        assertThat((String) CHROMIUM.browser().js("return window.es.url;")).isEqualTo(esperBase + "/subscribe/" + topic)
                .doesNotContain("token");
        assertThat((Boolean) CHROMIUM.browser().js("return window.es.withCredentials;")).isTrue();
        assertThat((String) CHROMIUM.browser().js("return document.cookie;")).as("the page's own cookies").isEmpty();
    }

    @Test
    void withCorsOriginsStarTheBrowserRefusesTheCredentialedStream() {
        String esperBase = startEsper(EsperConfig.builder());
        String topic = "cookietopic2";
        CHROMIUM.browser().setCookie(esperBase, "esper_token", esper.subscriberToken(topic));

        CHROMIUM.browser().open(CHROMIUM.pages().credentialsPage(esperBase, topic));

        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.errors || 0;") >= 1);
        assertThat(CHROMIUM.browser().jsLong("return window.es.readyState;")).as("EventSource.CLOSED").isEqualTo(2);
        assertThat(CHROMIUM.browser().jsLong("return window.opens;")).isZero();
        assertThat(CHROMIUM.browser().statuses("GET", "/subscribe/" + topic)).as("esper answered, the browser refused")
                .contains(200);
    }

    @Test
    void aPublishCarryingOnlyTheCookieIs401AndPublishesNothing() {
        String esperBase = startEsper(EsperConfig.builder().corsOrigins(List.of(CHROMIUM.pages().origin())));
        String topic = "cookietopic3";
        CHROMIUM.browser().setCookie(esperBase, "esper_token", esper.publisherToken(topic));
        CHROMIUM.browser().open(CHROMIUM.pages().credentialsPage(esperBase, topic));
        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.errors || 0;") >= 1);

        CHROMIUM.browser().js("window.publishWithCookie();");

        await().atMost(WAIT).until(() -> !"pending".equals(CHROMIUM.browser().js("return window.publishOutcome;")));
        assertThat((String) CHROMIUM.browser().js("return window.publishOutcome;")).as("no answer the page may read")
                .startsWith("failed");
        await().atMost(WAIT).until(() -> !CHROMIUM.browser().statuses("POST", "/publish/" + topic).isEmpty());
        assertThat(CHROMIUM.browser().statuses("POST", "/publish/" + topic)).containsExactly(401);
        assertThat(esper.stats()).contains("\"published\":0");
    }
}
