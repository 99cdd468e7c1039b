package dev.esper.examples.core;

import dev.esper.broker.Broker;
import dev.esper.broker.Chunk;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * esper-core embedded in a plain Java program, no HTTP at all: subscribe, publish, receive. This is
 * the README's embedding example, kept compiling and running here.
 */
public final class EmbeddedBroker {
    private EmbeddedBroker() {
    }

    /** Prints the SSE stream a subscriber of {@code abcdef123} receives for one published event. */
    public static void main(String[] args) throws InterruptedException {
        CountDownLatch received = new CountDownLatch(1);
        try (Broker broker = Broker.builder().build()) {
            TopicId topic = TopicId.of("abcdef123");
            broker.subscribe(topic, null, new Flow.Subscriber<Chunk>() {
                private Flow.Subscription subscription;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    s.request(1); // "my socket can take bytes"
                }

                @Override
                public void onNext(Chunk chunk) {
                    System.out.print(chunk); // ":ok" first, then "id: …\nevent: greeting\ndata: hello\n\n"
                    if (chunk.events() > 0) {
                        received.countDown();
                    }
                    subscription.request(1);
                }

                @Override
                public void onError(Throwable t) {
                    System.err.println("stream failed: " + t.getMessage());
                }

                @Override
                public void onComplete() {
                    System.out.println("stream ended");
                }
            });
            broker.publish(topic, Event.of("hello").withName("greeting"));
            received.await(5, TimeUnit.SECONDS);
        }
    }
}
