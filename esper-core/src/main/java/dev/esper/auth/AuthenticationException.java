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

    /** Keeps only what RFC 6750 allows in {@code error_description}: no quote, backslash, control or non-ASCII. */
    private static String headerSafe(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                sb.append('\'');
            } else if (c == '\\') {
                sb.append('/');
            } else if (c < 0x20 || c > 0x7e) {
                sb.append('?');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The value of the {@code WWW-Authenticate} header for this failure (RFC 6750). */
    public String challenge() {
        if (!tokenPresent) {
            return "Bearer realm=\"esper\"";
        }
        return "Bearer realm=\"esper\", error=\"invalid_token\", error_description=\""
                + headerSafe(reason()) + "\"";
    }
}
