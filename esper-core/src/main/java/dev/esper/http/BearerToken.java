package dev.esper.http;

import dev.esper.auth.AuthenticationException;

/**
 * Where a request's token is read from (SPEC 3, 9.3). A subscribe reads the {@code Authorization} header with
 * the {@code Bearer} scheme (any letter case) if the header is present, else the token cookie if present, else
 * the {@code token} query parameter. A publish or stats request reads the header, else the query parameter, and
 * never a cookie: a cookie goes with every request the browser makes, a forged cross-site one included.
 *
 * <p>Only the first source present is read. A header that is present but empty, of another scheme or without a
 * token is a {@code 401}, with no fall-back; so is a {@code token} query parameter when tokens in URLs are
 * turned off ({@link Sources#query()}). An empty cookie or query parameter counts as absent.
 *
 * <p>Stateless and thread-safe.
 */
final class BearerToken {
    private BearerToken() {
    }

    /**
     * Which sources a server reads besides the {@code Authorization} header.
     *
     * @param cookie the name of the cookie a subscribe token may come in
     * @param query whether the {@code token} query parameter is read (false: refused with a {@code 401})
     */
    record Sources(String cookie, boolean query) {
        /** The defaults: the {@code esper_token} cookie, and the query parameter. */
        static final Sources DEFAULT = new Sources("esper_token", true);
    }

    /**
     * Reads the token of a request (SPEC 9.3).
     *
     * @param subscribe whether the route is a subscribe (the only one that reads the cookie)
     * @param authorizationHeader the {@code Authorization} header's value, or null if absent
     * @param cookieHeader the {@code Cookie} header's value, or null if absent
     * @param rawQuery the raw query string, or null
     * @param sources the cookie's name and whether the query parameter is allowed
     * @return the token, or null if the request carries none
     * @throws AuthenticationException if the header is present but not {@code Bearer <token>}, or the query
     *     parameter is the source and is refused
     */
    static String read(boolean subscribe, String authorizationHeader, String cookieHeader, String rawQuery,
            Sources sources) {
        if (authorizationHeader != null) {
            return extract(authorizationHeader, null);
        }
        if (subscribe) {
            String cookie = cookie(cookieHeader, sources.cookie());
            if (cookie != null) {
                return cookie;
            }
        }
        String query = Admission.queryParam(rawQuery, "token");
        if (query == null || query.isEmpty()) {
            return null;
        }
        if (!sources.query()) {
            throw AuthenticationException.invalidToken("this server does not read tokens in the URL (no-query-token);"
                    + " send " + alternatives(subscribe, sources, false));
        }
        return query;
    }

    /** How to send a token where none was found, e.g. {@code 'Authorization: Bearer <token>' or ?token=<token>}. */
    static String howToSend(boolean subscribe, Sources sources) {
        return alternatives(subscribe, sources, sources.query());
    }

    private static String alternatives(boolean subscribe, Sources sources, boolean query) {
        String header = "'Authorization: Bearer <token>'";
        String cookie = subscribe ? "the '" + sources.cookie() + "' cookie" : null;
        if (cookie == null) {
            return query ? header + " or ?token=<token>" : header;
        }
        return query ? header + ", " + cookie + " or ?token=<token>" : header + " or " + cookie;
    }

    /**
     * Picks the token of a request from the header or the query parameter (SPEC 3).
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

    /**
     * The value of the first cookie named {@code name} in a {@code Cookie} header ({@code a=1; b=2}, RFC 6265
     * 4.2), without the double quotes a value may be wrapped in; names compare exactly.
     *
     * @param cookieHeader the header's value, or null
     * @param name the cookie's name
     * @return the value, or null if there is no such cookie or its value is empty
     */
    static String cookie(String cookieHeader, String name) {
        if (cookieHeader == null || cookieHeader.isEmpty()) {
            return null;
        }
        int from = 0;
        int length = cookieHeader.length();
        while (from < length) {
            int end = cookieHeader.indexOf(';', from);
            if (end < 0) {
                end = length;
            }
            int eq = cookieHeader.indexOf('=', from);
            if (eq > from && eq < end && cookieHeader.substring(from, eq).strip().equals(name)) {
                String value = cookieHeader.substring(eq + 1, end).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() ? null : value;
            }
            from = end + 1;
        }
        return null;
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
