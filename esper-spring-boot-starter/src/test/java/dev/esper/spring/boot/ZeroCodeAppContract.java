package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.auth.Secret;
import dev.esper.jwt.JwtMinter;
import dev.esper.spring.boot.zerocode.ZeroCodeApp;
import dev.esper.testsupport.RawHttp;
import dev.esper.topic.TopicId;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The promise of docs/spring-boot.md: a new application ({@link ZeroCodeApp}: no code of esper's), the starter and
 * two properties give a working, protected subscribe and publish at {@code /esper/*}.
 */
@SpringBootTest(classes = ZeroCodeApp.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "esper.subscriber-secret=" + ZeroCodeAppContract.SUBSCRIBER_SECRET,
    "esper.publisher-secret=" + ZeroCodeAppContract.PUBLISHER_SECRET})
abstract class ZeroCodeAppContract extends WebContract {
    static final String SUBSCRIBER_SECRET = "a-subscriber-secret-of-at-least-32-bytes";
    static final String PUBLISHER_SECRET = "a-publisher-secret-of-at-least-32-bytes";

    @Test
    void withoutATokenBothSidesAnswer401() throws Exception {
        try (RawHttp subscribe = Http.get(port, "/esper/subscribe/abcdef123")) {
            assertThat(subscribe.status()).isEqualTo(401);
            assertThat(subscribe.header("WWW-Authenticate")).startsWith("Bearer");
        }
        try (RawHttp publish = Http.post(port, "/esper/publish/abcdef123", "data: hello")) {
            assertThat(publish.status()).isEqualTo(401);
        }
    }

    @Test
    void withTokensASubscriberReceivesWhatAPublisherPosts() throws Exception {
        TopicId topic = TopicId.of("abcdef123");
        String subscriberToken = JwtMinter.hmac(Secret.of("subscriber secret", SUBSCRIBER_SECRET))
                .mint(topic, Duration.ofMinutes(10));
        String publisherToken = JwtMinter.hmac(Secret.of("publisher secret", PUBLISHER_SECRET))
                .mint(topic, Duration.ofMinutes(10));

        try (RawHttp stream = Http.get(port, "/esper/subscribe/abcdef123?token=" + subscriberToken)) {
            assertThat(stream.status()).isEqualTo(200);
            stream.awaitBody(":ok\n\n", Duration.ofSeconds(5));

            try (RawHttp publish = Http.post(port, "/esper/publish/abcdef123", "event: testing\ndata: hello",
                    "Authorization: Bearer " + publisherToken)) {
                assertThat(publish.status()).isEqualTo(200);
                assertThat(publish.readBody()).contains("\"published\":1").contains("\"subscribers\":1");
            }
            assertThat(stream.awaitBody("data: hello\n\n", Duration.ofSeconds(5)))
                    .containsPattern("id: \\d+\nevent: testing\ndata: hello\n\n");
        }
    }
}
