package dev.esper.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.esper.auth.AuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC 3 and 7: where a request's token is read from ({@link BearerToken#extract}). */
class BearerTokenTest {

    @Test
    void readsTheTokenOfABearerHeader() {
        assertThat(BearerToken.extract("Bearer abc.def.ghi", null)).isEqualTo("abc.def.ghi");
    }

    @Test
    void theHeaderWinsOverTheQuery() {
        assertThat(BearerToken.extract("Bearer from-header", "from-query")).isEqualTo("from-header");
    }

    @ParameterizedTest(name = "scheme {0}")
    @ValueSource(strings = {"Bearer", "bearer", "BEARER", "bEaReR"})
    void theSchemeNameMatchesInAnyLetterCase(String scheme) {
        assertThat(BearerToken.extract(scheme + " tok", "query")).isEqualTo("tok");
    }

    @Test
    void whitespaceAroundTheSchemeAndTokenIsIgnored() {
        assertThat(BearerToken.extract("  Bearer    tok  ", null)).isEqualTo("tok");
        assertThat(BearerToken.extract("Bearer\ttok", null)).isEqualTo("tok");
    }

    @Test
    void withoutAHeaderTheQueryParameterIsTheToken() {
        assertThat(BearerToken.extract(null, "abc.def.ghi")).isEqualTo("abc.def.ghi");
    }

    @Test
    void withNeitherThereIsNoToken() {
        assertThat(BearerToken.extract(null, null)).isNull();
    }

    @Test
    void anEmptyQueryParameterIsNoToken() {
        assertThat(BearerToken.extract(null, "")).isNull();
    }

    @ParameterizedTest(name = "header ''{0}''")
    @ValueSource(strings = {"", " ", "\t"})
    void anEmptyHeaderIs401WithoutFallingBackToTheQuery(String header) {
        AuthenticationException e = rejected(header, "valid-query-token");
        assertThat(e.getMessage()).contains("Authorization");
    }

    @ParameterizedTest(name = "header ''{0}''")
    @ValueSource(strings = {"Basic dXNlcjpwYXNzd29yZA==", "Token abc", "Digest username=x", "Bearerabc",
        "Bearer-abc", "JWT abc", "abc.def.ghi"})
    void aHeaderOfAnotherSchemeIs401WithoutFallingBackToTheQuery(String header) {
        AuthenticationException e = rejected(header, "valid-query-token");
        assertThat(e.getMessage()).contains("Bearer");
    }

    @ParameterizedTest(name = "header ''{0}''")
    @ValueSource(strings = {"Bearer", "bearer", "Bearer ", "Bearer \t "})
    void aBearerHeaderWithoutATokenIs401WithoutFallingBackToTheQuery(String header) {
        AuthenticationException e = rejected(header, "valid-query-token");
        assertThat(e.getMessage()).contains("token");
    }

    @Test
    void messagesNeverContainTheCredentials() {
        String credential = "c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3N3b3Jk";
        AuthenticationException e = rejected("Basic " + credential, "query-secret-token");
        assertThat(e.getMessage()).doesNotContain(credential).doesNotContain("query-secret-token");
        assertThat(e.challenge()).doesNotContain(credential);
    }

    private static AuthenticationException rejected(String header, String query) {
        AuthenticationException e = catchThrowableOfType(AuthenticationException.class,
                () -> BearerToken.extract(header, query));
        assertThat(e).as("extract(%s, %s)", header, query).isNotNull();
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.challenge()).startsWith("Bearer realm=\"esper\"");
        return e;
    }
}
