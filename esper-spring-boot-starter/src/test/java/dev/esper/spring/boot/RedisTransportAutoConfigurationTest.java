package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.broker.Broker;
import dev.esper.broker.Chunk;
import dev.esper.broker.Transport;
import dev.esper.event.Event;
import dev.esper.redis.RedisTransport;
import dev.esper.testsupport.RedisServerFixture;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code esper.redis-url} with esper-redis on the class path (at the Lettuce version Spring Boot manages): the
 * broker bean joins other nodes through a real {@code redis-server}, and the context's close closes the transport.
 */
class RedisTransportAutoConfigurationTest {
    private static RedisServerFixture redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerFixture.start(false);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private ApplicationContextRunner node() {
        return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(EsperAutoConfiguration.class))
                .withPropertyValues("esper.redis-url=" + redis.uri());
    }

    @Test
    void twoApplicationsWithTheSameRedisUrlAreOneBroker() {
        AtomicReference<RedisTransport> transport = new AtomicReference<>();
        node().run(a -> node().run(b -> {
            assertThat(a).hasNotFailed().hasSingleBean(Transport.class).hasBean("esperTransport");
            assertThat(a.getBean(Transport.class)).isInstanceOf(RedisTransport.class);
            transport.set((RedisTransport) a.getBean(Transport.class));
            assertThat(a.getBean(Broker.class).stats().transport()).containsEntry("type", "redis")
                    .containsEntry("state", "up");

            StringBuffer received = new StringBuffer();
            TopicId topic = TopicId.of("acrossnodes1");
            b.getBean(Broker.class).subscribeAsync(topic, null, new Flow.Subscriber<Chunk>() {
                private Flow.Subscription subscription;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    s.request(1);
                }

                @Override
                public void onNext(Chunk chunk) {
                    received.append(chunk.toString());
                    subscription.request(1);
                }

                @Override
                public void onError(Throwable t) {
                    received.append("error: ").append(t);
                }

                @Override
                public void onComplete() {
                }
            }).toCompletableFuture().get();

            a.getBean(Broker.class).publish(topic, Event.of("from node a"));

            await().atMost(Duration.ofSeconds(5)).until(() -> received.toString().contains("data: from node a\n\n"));
        }));
        assertThat(transport.get().isUp()).as("closed with the context, by the broker").isFalse();
    }

    @Test
    void anUnreachableRedisFailsStartUp() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(EsperAutoConfiguration.class))
                .withPropertyValues("esper.redis-url=redis://127.0.0.1:1")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("127.0.0.1:1"));
    }
}
