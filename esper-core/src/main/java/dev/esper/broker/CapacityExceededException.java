package dev.esper.broker;

import dev.esper.EsperException;

/**
 * A global limit was reached (topics, subscribers, retained bytes) or the broker is shutting down;
 * answered with {@code 503}. Nothing was changed by the request that got it.
 */
public final class CapacityExceededException extends EsperException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a reason naming the limit and its value. */
    public CapacityExceededException(String reason) {
        super(503, reason);
    }
}
