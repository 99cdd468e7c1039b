package dev.esper.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.broker.Broker;
import dev.esper.topic.TopicId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link BoundedBody}: a publish body read within its limit, whichever way a server hands it out (SPEC 2.2). */
class BoundedBodyTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aBodyOfExactlyTheLimitIsKeptAndPublished() {
        String text = "data: " + "x".repeat(94);
        BoundedBody body = new BoundedBody(100, 100);
        assertThat(body.append(ascii(text))).isTrue();
        assertThat(body.tooLarge()).isFalse();
        assertThat(body.length()).isEqualTo(100);
        try (Broker broker = Broker.builder().build()) {
            assertThat(body.publish(broker, new HttpApi.Cors("*"), TOPIC, null).toCompletableFuture().join().status()).isEqualTo(200);
            assertThat(broker.stats().published()).isEqualTo(1);
        }
    }

    @Test
    void aBodyWithoutADeclaredLengthGrowsAcrossManyPiecesAndArrivesWhole() {
        BoundedBody body = new BoundedBody(65536, -1);
        StringBuilder sent = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            String line = "data: line " + i + "\n";
            sent.append(line);
            assertThat(body.append(ascii(line))).isTrue();
        }
        assertThat(body.length()).isEqualTo(sent.length());
        try (Broker broker = Broker.builder().build()) {
            assertThat(body.publish(broker, new HttpApi.Cors("*"), TOPIC, null).toCompletableFuture().join().status()).isEqualTo(200);
            assertThat(broker.stats().published()).as("one event of 2000 data lines").isEqualTo(1);
        }
    }

    @Test
    void anAppendPassingTheLimitIsRefusedAndNothingMoreIsKept() {
        BoundedBody body = new BoundedBody(10, -1);
        assertThat(body.append(ascii("data: x\n"))).isTrue();
        ByteBuffer over = ascii("data");
        assertThat(body.append(over)).isFalse();
        assertThat(body.tooLarge()).isTrue();
        assertThat(over.remaining()).as("not consumed").isEqualTo(4);
        assertThat(body.append(ascii(""))).as("still too large").isFalse();
        try (Broker broker = Broker.builder().build()) {
            assertThatThrownBy(() -> body.publish(broker, new HttpApi.Cors("*"), TOPIC, null)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("10 bytes");
            assertThat(broker.stats().published()).isZero();
        }
    }

    @Test
    void aLimitBelowOneIsRefusedNamingIt() {
        assertThatThrownBy(() -> new BoundedBody(0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBytes must be at least 1, was 0");
    }
}
