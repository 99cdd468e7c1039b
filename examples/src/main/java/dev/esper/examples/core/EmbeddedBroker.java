package dev.esper.examples.core;

// snippet:embedded-broker
import dev.esper.broker.Broker;
import dev.esper.broker.Chunk;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/** esper-core in a plain Java program, no HTTP: subscribe, publish, print what the subscriber gets. */
public final class EmbeddedBroker {
    private EmbeddedBroker() {
    }

    /** Prints the SSE stream a subscriber of {@code abcdef123} receives for one published event. */
    public static void main(String[] args) throws InterruptedException {
        CountDownLatch received = new CountDownLatch(1);
        try (Broker broker = Broker.builder().historySize(100).build()) {
            TopicId topic = TopicId.of("abcdef123");
            broker.subscribe(topic, null, new Flow.Subscriber<Chunk>() {      // null: no Last-Event-ID
                private Flow.Subscription subscription;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    s.request(1);                                              // "my socket can take bytes"
                }

                @Override
                public void onNext(Chunk chunk) {
                    System.out.print(chunk);   // ":ok" first, then "id: …\nevent: greeting\ndata: hello\n\n"
                    if (chunk.events() > 0) {
                        received.countDown();
                    }
                    subscription.request(1);                                   // written: ask for more
                }

                @Override
                public void onError(Throwable t) {                             // dropped as too slow
                    System.err.println("stream failed: " + t.getMessage());
                }

                @Override
                public void onComplete() {                                     // the broker closed
                    System.out.println("stream ended");
                }
            });
            broker.publish(topic, Event.of("hello").withName("greeting"));
            received.await(5, TimeUnit.SECONDS);
        }
    }
}
// end-snippet:embedded-broker
