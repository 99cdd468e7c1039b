package dev.esper.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The id and retry rules are {@link Event}'s; the parser applies the same ones, naming the line. */
class EventRulesTest {
    @ParameterizedTest(name = "id {index}")
    @ValueSource(strings = {"42", "a b", "\u00e9", "\ud83d\ude00", "a\u0000b", "\u0000", "a\ud83db", "\ude00"})
    void theParserAcceptsExactlyTheIdsAnEventAccepts(String id) {
        boolean eventAccepts = Event.idProblem(id) == null;
        boolean parserAccepts = accepts("id: " + id + "\ndata: x");

        assertThat(parserAccepts).isEqualTo(eventAccepts);
    }

    @ParameterizedTest(name = "retry {index}")
    @ValueSource(strings = {"0", "0010", "5000", "", "abc", "1.5", "-1", "\u0663", "10ms"})
    void theParserAcceptsExactlyTheRetriesAnEventAccepts(String retry) {
        boolean eventAccepts = Event.retryProblem(retry) == null;
        boolean parserAccepts = accepts("retry: " + retry + "\ndata: x");

        assertThat(parserAccepts).isEqualTo(eventAccepts);
    }

    @ParameterizedTest(name = "id {index}")
    @ValueSource(strings = {"a\u0000b", "a\ud83db"})
    void theParserAndTheEventWordABadIdAlike(String id) {
        assertThatThrownBy(() -> SseParser.parse("data: x\nid: " + id)).isInstanceOf(InvalidEventException.class)
                .hasMessage("line 2: 'id' must not contain NUL, a line break or an unpaired surrogate");
        assertThatThrownBy(() -> new Event("x", null, id, null))
                .hasMessage("event id must not contain NUL, a line break or an unpaired surrogate");
    }

    @ParameterizedTest(name = "retry {index}")
    @ValueSource(strings = {"abc", "1 "})
    void theParserAndTheEventWordABadRetryAlike(String retry) {
        assertThatThrownBy(() -> SseParser.parse("data: x\nretry: " + retry)).isInstanceOf(InvalidEventException.class)
                .hasMessage("line 2: 'retry' must be ASCII digits, was '" + retry + "'");
        assertThatThrownBy(() -> new Event("x", null, null, retry))
                .hasMessage("retry must be ASCII digits, was '" + retry + "'");
    }

    @ParameterizedTest(name = "comment {index}")
    @ValueSource(strings = {"a\nb", "a\rb"})
    void aCommentFollowsTheSameLineBreakRuleAsAnEventName(String text) {
        assertThatThrownBy(() -> SseEncoder.comment(text)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Event("x", text, null, null)).isInstanceOf(InvalidEventException.class);
    }

    private static boolean accepts(String body) {
        try {
            SseParser.parse(body);
            return true;
        } catch (InvalidEventException e) {
            return false;
        }
    }
}
