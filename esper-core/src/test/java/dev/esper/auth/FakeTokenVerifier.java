package dev.esper.auth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TokenVerifier} that knows a fixed set of tokens: a token it was told about "has a valid
 * signature" and yields its claims; any other token fails as a bad signature would. Records every token
 * it was asked about. Public for the tests of other core packages.
 */
public final class FakeTokenVerifier implements TokenVerifier {
    private final Map<String, Claims> known = new HashMap<>();
    private final List<String> seen = new ArrayList<>();

    /** A verifier that knows no token yet. */
    public FakeTokenVerifier() {
    }

    /** Makes {@code token} verify, with these claims. */
    public FakeTokenVerifier accept(String token, Map<String, ?> claims) {
        known.put(token, Claims.of(claims));
        return this;
    }

    /** The tokens passed to {@link #verify}, in order. */
    public List<String> seen() {
        return List.copyOf(seen);
    }

    @Override
    public Claims verify(String token) {
        seen.add(token);
        Claims claims = known.get(token);
        if (claims == null) {
            throw AuthenticationException.invalidToken("token signature does not verify");
        }
        return claims;
    }
}
