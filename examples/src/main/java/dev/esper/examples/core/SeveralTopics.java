package dev.esper.examples.core;

import dev.esper.broker.Broker;
import dev.esper.broker.Chunk;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.util.List;
import java.util.concurrent.Flow;

/** One subscriber, one stream, two topics: each event's id names its topic and resumes both. */
public final class SeveralTopics {
    private SeveralTopics() {
    }

    /** Prints the stream a subscriber of two topics receives, then what a resume from its first event gets. */
    public static void main(String[] args) {
        // snippet:several-topics
        TopicId scores = TopicId.of("livescores");
        TopicId chat = TopicId.of("chatroom42");
        try (Broker broker = Broker.builder().build()) {
            Printer first = new Printer();
            broker.subscribe(List.of(scores, chat), null, first);     // one demand, one buffer bound for both
            broker.publish(scores, Event.of("1-0").withName("goal"));
            String lastId = first.awaitFirstId();                    // "livescores:1...", kept by the client
            first.cancel();                                          // ... and then its connection drops
            broker.publish(chat, Event.of("what a goal"));
            broker.publish(chat, Event.of("missed this one too"));

            broker.subscribe(List.of(chat, scores), lastId, new Printer());   // any order: the same stream
            // prints ":ok", then "id: chatroom42:1...", "data: what a goal", and "missed this one too"
        }
        // end-snippet:several-topics
    }

    /** Prints every chunk; remembers the id of the first event. */
    private static final class Printer implements Flow.Subscriber<Chunk> {
        private final java.util.concurrent.CompletableFuture<String> firstId = new java.util.concurrent.CompletableFuture<>();
        private Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(Chunk chunk) {
            String text = chunk.toString();
            System.out.print(text);
            int at = text.indexOf("id: ");
            if (at >= 0) {
                firstId.complete(text.substring(at + 4, text.indexOf('\n', at)));
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

        void cancel() {
            subscription.cancel();
        }

        String awaitFirstId() {
            return firstId.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
        }
    }
}
