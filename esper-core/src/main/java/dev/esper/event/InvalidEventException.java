package dev.esper.event;

import dev.esper.EsperException;

/** A publish body or an {@link Event} broke a rule of the SSE format; answered with {@code 400}. */
public final class InvalidEventException extends EsperException {
    private static final long serialVersionUID = 1L;

    InvalidEventException(String reason) {
        super(400, reason);
    }
}
