package dev.esper.examples.boot;

import dev.esper.broker.Broker;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pushes every saved note to the pages, through the {@link Broker} bean of esper's starter: in-process, no HTTP
 * round trip, and only once the note is committed.
 */
@Component
public class NoteFeed {
    /** The topic every page follows. */
    public static final TopicId TOPIC = TopicId.of("notesfeed");

    private final Broker broker;
    private final JsonMapper json;

    NoteFeed(Broker broker, JsonMapper json) {
        this.broker = broker;
        this.json = json;
    }

    // snippet:publish-after-commit
    /** Runs after the transaction that saved the note commits; never for a save that rolled back. */
    @TransactionalEventListener
    public void saved(NoteSaved saved) {
        broker.publish(TOPIC, Event.of(json.writeValueAsString(saved.note())).withName("note"));
    }
    // end-snippet:publish-after-commit
}
