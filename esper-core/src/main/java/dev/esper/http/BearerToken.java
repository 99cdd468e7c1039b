package dev.esper.http;

import dev.esper.auth.AuthenticationException;

/**
 * Where a request's token is read from (SPEC 3): an {@code Authorization} header with the {@code Bearer}
 * scheme (any letter case) if the header is present, else the {@code token} query parameter. A header
 * that is present but empty, of another scheme, or without a token is a {@code 401}; there is no
 * fall-back to the query then.
 *
 * <p>Stateless and thread-safe.
 */
final class BearerToken {
    private BearerToken() {
    }

    /**
     * Picks the token of a request.
     *
     * @param authorizationHeader the {@code Authorization} header's value, or null if absent
     * @param queryToken the {@code token} query parameter's value, or null if absent
     * @return the token, or null if the request carries none (an empty query parameter counts as none)
     * @throws AuthenticationException if the header is present but not {@code Bearer <token>}
     */
    static String extract(String authorizationHeader, String queryToken) {
        if (authorizationHeader != null) {
            String h = authorizationHeader.strip();
            int sp = indexOfWhitespace(h);
            if (h.isEmpty()) {
                throw AuthenticationException.invalidToken("Authorization header is empty; use 'Bearer <token>'");
            }
            String scheme = sp < 0 ? h : h.substring(0, sp);
            if (!scheme.equalsIgnoreCase("Bearer")) {
                throw AuthenticationException.invalidToken("Authorization header must use the Bearer scheme");
            }
            String token = sp < 0 ? "" : h.substring(sp + 1).strip();
            if (token.isEmpty()) {
                throw AuthenticationException.invalidToken("Authorization header has no token after 'Bearer'");
            }
            return token;
        }
        return queryToken == null || queryToken.isEmpty() ? null : queryToken;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
