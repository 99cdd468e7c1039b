package dev.esper.topic;

import dev.esper.EsperException;

/** A topic id broke the rule of {@link TopicId}; answered with {@code 400}. */
public final class InvalidTopicIdException extends EsperException {
    private static final long serialVersionUID = 1L;

    InvalidTopicIdException(String reason) {
        super(400, reason);
    }
}
