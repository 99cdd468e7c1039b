package dev.esper.servlet;

import dev.esper.auth.Claims;
import dev.esper.auth.Secret;
import dev.esper.auth.TokenVerifier;

/** STUB (to be completed by the servlet work): HMAC JWT verification on jjwt. Signatures are the contract. */
public final class JwtVerifier implements TokenVerifier {
    private final Secret secret;

    private JwtVerifier(Secret secret) {
        this.secret = secret;
    }

    public static JwtVerifier hmac(Secret secret) {
        return new JwtVerifier(secret);
    }

    @Override
    public Claims verify(String token) {
        throw new UnsupportedOperationException("stub " + secret.length());
    }
}
