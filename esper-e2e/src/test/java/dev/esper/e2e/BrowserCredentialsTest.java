package dev.esper.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import dev.esper.testing.EsperTestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC 9.3 in a real headless Chromium: a page on another origin subscribes with the token in a cookie of esper's
 * host ({@code EventSource} with {@code withCredentials}), no token in the URL; the browser itself refuses the
 * credentialed stream when esper allows any origin ({@code *}); and the cookie cannot publish.
 */
class BrowserCredentialsTest {
    private static final String SUBSCRIBER_SECRET = "subscriber-secret-for-the-browser-tests-0123456789";
    private static final String PUBLISHER_SECRET = "publisher-secret-for-the-browser-tests-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static Browser browser;
    private static PageServer pages;
    private EsperTestServer esper;

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start();
        pages = PageServer.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
        if (pages != null) {
            pages.close();
        }
    }

    @AfterEach
    void stopEsper() {
        browser.open("about:blank");
        browser.driver.executeCdpCommand("Network.clearBrowserCookies", Map.of());
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
        Object v = browser.js("return window.received || [];");
        return v == null ? List.of() : (List<Map<String, Object>>) v;
    }

    @Test
    void aPageOnAnotherOriginSubscribesWithTheCookieOfEspersHostAndNoTokenInTheUrl() {
        String esperBase = startEsper(EsperConfig.builder().corsOrigins(List.of(pages.origin())));
        String topic = "cookietopic1";
        browser.setCookie(esperBase, "esper_token", esper.subscriberToken(topic));

        browser.open(pages.credentialsPage(esperBase, topic));
        await().atMost(WAIT).until(() -> browser.jsLong("return window.opens || 0;") >= 1);
        esper.publish(topic, "data: via the cookie");

        await().atMost(WAIT).until(() -> received().size() >= 1);
        assertThat(received().get(0)).containsEntry("data", "via the cookie");
        assertThat((String) browser.js("return window.es.url;")).isEqualTo(esperBase + "/subscribe/" + topic)
                .doesNotContain("token");
        assertThat((Boolean) browser.js("return window.es.withCredentials;")).isTrue();
        assertThat((String) browser.js("return document.cookie;")).as("the page's own cookies").isEmpty();
    }

    @Test
    void withCorsOriginsStarTheBrowserRefusesTheCredentialedStream() {
        String esperBase = startEsper(EsperConfig.builder());
        String topic = "cookietopic2";
        browser.setCookie(esperBase, "esper_token", esper.subscriberToken(topic));

        browser.open(pages.credentialsPage(esperBase, topic));

        await().atMost(WAIT).until(() -> browser.jsLong("return window.errors || 0;") >= 1);
        assertThat(browser.jsLong("return window.es.readyState;")).as("EventSource.CLOSED").isEqualTo(2);
        assertThat(browser.jsLong("return window.opens;")).isZero();
        assertThat(browser.statuses("GET", "/subscribe/" + topic)).as("esper answered, the browser refused")
                .contains(200);
    }

    @Test
    void aPublishCarryingOnlyTheCookieIs401AndPublishesNothing() {
        String esperBase = startEsper(EsperConfig.builder().corsOrigins(List.of(pages.origin())));
        String topic = "cookietopic3";
        browser.setCookie(esperBase, "esper_token", esper.publisherToken(topic));
        browser.open(pages.credentialsPage(esperBase, topic));
        await().atMost(WAIT).until(() -> browser.jsLong("return window.errors || 0;") >= 1);

        browser.js("window.publishWithCookie();");

        await().atMost(WAIT).until(() -> !"pending".equals(browser.js("return window.publishOutcome;")));
        assertThat((String) browser.js("return window.publishOutcome;")).as("no answer the page may read")
                .startsWith("failed");
        await().atMost(WAIT).until(() -> !browser.statuses("POST", "/publish/" + topic).isEmpty());
        assertThat(browser.statuses("POST", "/publish/" + topic)).containsExactly(401);
        assertThat(esper.stats()).contains("\"published\":0");
    }
}
