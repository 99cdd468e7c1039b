package dev.esper.auth;

import dev.esper.EsperException;

/**
 * A request carried no usable token: it is missing, malformed, badly signed, expired, not yet valid,
 * or lacks a claim the rules need. Answered with {@code 401} and the {@link #challenge()} as the
 * {@code WWW-Authenticate} header.
 */
public final class AuthenticationException extends EsperException {
    private static final long serialVersionUID = 1L;

    private final boolean tokenPresent;

    /**
     * Creates the exception.
     *
     * @param reason what was wrong with the credentials, without the token itself
     * @param tokenPresent whether the request carried a token at all (RFC 6750 names the error only then)
     */
    public AuthenticationException(String reason, boolean tokenPresent) {
        super(401, reason);
        this.tokenPresent = tokenPresent;
    }

    /** A token that was present but rejected. */
    public static AuthenticationException invalidToken(String reason) {
        return new AuthenticationException(reason, true);
    }

    /** Whether the request carried a token at all. */
    public boolean tokenPresent() {
        return tokenPresent;
    }

    /** The value of the {@code WWW-Authenticate} header for this failure (RFC 6750). */
    public String challenge() {
        if (!tokenPresent) {
            return "Bearer realm=\"esper\"";
        }
        return "Bearer realm=\"esper\", error=\"invalid_token\", error_description=\""
                + reason().replace('"', '\'').replace('\\', '/') + "\"";
    }
}
