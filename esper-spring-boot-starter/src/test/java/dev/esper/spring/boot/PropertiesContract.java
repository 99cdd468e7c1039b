package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.auth.Secret;
import dev.esper.jwt.JwtMinter;
import dev.esper.testsupport.RawHttp;
import dev.esper.topic.TopicId;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@code esper.*} properties reach the servlet and the broker: path, secret, body limit, CORS, heartbeat. */
@SpringBootTest(classes = EventsFromAppCodeContract.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "esper.path=/events/*",
            "esper.publisher-secret=" + PropertiesContract.PUBLISHER_SECRET,
            "esper.max-body=32",
            "esper.cors-origins=https://app.example.com",
            "esper.heartbeat=1"})
abstract class PropertiesContract extends WebContract {
    static final String PUBLISHER_SECRET = "a-publisher-secret-of-at-least-32-bytes";

    @Test
    void thePublisherSideAnswers401WithoutATokenAndTheSubscriberSideIsOpen() throws Exception {
        try (RawHttp publish = Http.post(port, "/events/publish/abcdef123", "data: hello")) {
            assertThat(publish.status()).isEqualTo(401);
            assertThat(publish.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(publish.readBody()).startsWith("{\"error\":");
        }
        try (RawHttp subscribe = Http.get(port, "/events/subscribe/abcdef123")) {
            assertThat(subscribe.status()).isEqualTo(200);
        }
    }

    @Test
    void aBodyOverMaxBodyIsRefusedWith413() throws Exception {
        String token = JwtMinter.hmac(Secret.of("publisher secret", PUBLISHER_SECRET))
                .mint(TopicId.of("abcdef123"), Duration.ofMinutes(1));
        try (RawHttp publish = Http.post(port, "/events/publish/abcdef123", "data: " + "x".repeat(40),
                "Authorization: Bearer " + token)) {
            assertThat(publish.status()).isEqualTo(413);
        }
    }

    @Test
    void onlyTheConfiguredOriginIsAllowed() throws Exception {
        try (RawHttp listed = Http.get(port, "/events/subscribe/abcdef123", "Origin: https://app.example.com");
                RawHttp other = Http.get(port, "/events/subscribe/abcdef123", "Origin: https://elsewhere.example")) {
            assertThat(listed.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
            assertThat(other.header("Access-Control-Allow-Origin")).isNull();
        }
    }

    @Test
    void anIdleStreamGetsTheConfiguredHeartbeat() throws Exception {
        try (RawHttp stream = Http.get(port, "/events/subscribe/abcdef123")) {
            assertThat(stream.awaitBody(":ok\n\n:\n\n", Duration.ofSeconds(5))).isEqualTo(":ok\n\n:\n\n");
        }
    }

    @Test
    void nothingIsServedAtTheDefaultPath() throws Exception {
        try (RawHttp subscribe = Http.get(port, "/esper/subscribe/abcdef123")) {
            assertThat(subscribe.status()).isEqualTo(404);
        }
    }
}
