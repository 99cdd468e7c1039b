package dev.esper.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.esper.topic.TopicId;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC 9.1: a token grants its {@code sub} and what its {@code topics} claim lists; a stream needs them all. */
class Spec9GrantsTest {

    private static final long NOW = 1_800_000_000L;
    private static final TopicId A = TopicId.of("topicaaaa");
    private static final TopicId B = TopicId.of("topicbbbb");
    private static final TopicId C = TopicId.of("topiccccc");

    private final FakeTokenVerifier verifier = new FakeTokenVerifier();
    private final AccessPolicy policy = AccessPolicy.builder().protect(Side.SUBSCRIBER, verifier)
            .protect(Side.PUBLISHER, verifier).clock(new MutableInstantSource(Instant.ofEpochSecond(NOW))).build();
    private int tokens;

    @Test
    void aTopicsArrayGrantsEveryListedTopicCaseInsensitively() {
        String t = token(claims("topics", List.of("TOPICAAAA", "topicbbbb")));
        assertThatCode(() -> policy.checkSubscribe(List.of(A, B), t)).doesNotThrowAnyException();
        assertThatCode(() -> policy.checkPublish(B, t)).doesNotThrowAnyException();
    }

    @Test
    void aStreamOfTopicsNotAllGrantedIs403NamingTheOnesMissing() {
        String t = token(claims("sub", "topicaaaa"));
        AccessDeniedException e = catchThrowableOfType(AccessDeniedException.class,
                () -> policy.checkSubscribe(List.of(A, B, C), t));
        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.reason()).contains("'topicbbbb'", "'topiccccc'").doesNotContain("topicaaaa");
    }

    @Test
    void subAndTopicsAddUp() {
        String t = token(claims("sub", "topicaaaa", "topics", List.of("topicbbbb")));
        assertThatCode(() -> policy.checkSubscribe(List.of(A, B), t)).doesNotThrowAnyException();
    }

    @Test
    void aStarGrantsEveryTopicAsAStringOrAsAnArrayElement() {
        String star = token(claims("topics", "*"));
        String inArray = token(claims("topics", List.of("*")));
        assertThatCode(() -> policy.checkSubscribe(List.of(A, B, C), star)).doesNotThrowAnyException();
        assertThatCode(() -> policy.checkSubscribe(List.of(A, B, C), inArray)).doesNotThrowAnyException();
    }

    @Test
    void anEmptyTopicsArrayGrantsNothing() {
        String t = token(claims("topics", List.of()));
        assertThat(catchThrowableOfType(AccessDeniedException.class, () -> policy.checkSubscribe(A, t))).isNotNull();
    }

    @Test
    void aTokenWithNeitherSubNorTopicsIs401() {
        String t = token(claims());
        AuthenticationException e = catchThrowableOfType(AuthenticationException.class,
                () -> policy.checkSubscribe(A, t));
        assertThat(e).isNotNull();
        assertThat(e.reason()).contains("sub", "topics");
    }

    @Test
    void topicsOfTheWrongTypeIs401() {
        for (Object wrong : Arrays.asList("topicaaaa", 42, null, Map.of("topicaaaa", true),
                List.of("topicaaaa", 7), Arrays.asList("topicaaaa", null))) {
            String t = token(claims("topics", wrong));
            assertThat(catchThrowableOfType(AuthenticationException.class, () -> policy.checkSubscribe(A, t)))
                    .as("topics %s", wrong).isNotNull();
        }
    }

    @Test
    void anInvalidTopicIdInTheListGrantsNothingButIsNotAnError() {
        String t = token(claims("topics", List.of("a-b", "topicaaaa")));
        assertThatCode(() -> policy.checkSubscribe(A, t)).doesNotThrowAnyException();
        assertThat(catchThrowableOfType(AccessDeniedException.class, () -> policy.checkSubscribe(B, t))).isNotNull();
    }

    @Test
    void aListedIdThatMatchesOnlyUnderUnicodeCaseFoldingGrantsNothing() {
        String t = token(claims("topics", List.of("\u212aelvinsi")));
        assertThat(catchThrowableOfType(AccessDeniedException.class,
                () -> policy.checkSubscribe(TopicId.of("kelvinsi"), t))).isNotNull();
    }

    @Test
    void statsIgnoresGrants() {
        String t = token(claims());
        assertThatCode(() -> policy.checkStats(t)).doesNotThrowAnyException();
    }

    @Test
    void aStreamMustAskForAtLeastOneTopic() {
        assertThatThrownBy(() -> policy.checkSubscribe(List.<TopicId>of(), "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private String token(Map<String, Object> claims) {
        String t = "token-" + (++tokens);
        claims.put("exp", NOW + 60);
        verifier.accept(t, claims);
        return t;
    }

    private static Map<String, Object> claims(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
