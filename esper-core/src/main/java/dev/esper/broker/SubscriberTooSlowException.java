package dev.esper.broker;

import dev.esper.EsperException;

/**
 * Signalled to a subscriber ({@link java.util.concurrent.Flow.Subscriber#onError}) whose unsent live
 * bytes passed the subscriber buffer bound, or that was furthest behind when the broker passed its memory
 * budget; the broker has already removed it. The client can resume with {@code Last-Event-ID}.
 */
public final class SubscriberTooSlowException extends EsperException {
    private static final long serialVersionUID = 1L;

    SubscriberTooSlowException(String reason) {
        super(503, reason);
    }
}
