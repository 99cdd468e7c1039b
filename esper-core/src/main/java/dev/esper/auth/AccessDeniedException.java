package dev.esper.auth;

import dev.esper.EsperException;

/** A valid token that does not grant what was asked (a token for another topic); answered with {@code 403}. */
public final class AccessDeniedException extends EsperException {
    private static final long serialVersionUID = 1L;

    AccessDeniedException(String reason) {
        super(403, reason);
    }
}
