package dev.esper.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.esper.EsperException;
import java.util.Locale;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC 1: topic ids are 8-64 ASCII letters or digits, compared case-insensitively. */
class Spec1TopicIdTest {

    private static final String VALID_RULE = "8-64 ASCII letters or digits";

    @Test
    void acceptsEightCharacters() {
        assertThat(TopicId.of("abcd1234").value()).isEqualTo("abcd1234");
        assertThat(TopicId.isValid("abcd1234")).isTrue();
    }

    @Test
    void acceptsSixtyFourCharacters() {
        String id = "a1".repeat(32);
        assertThat(id).hasSize(64);
        assertThat(TopicId.of(id).value()).isEqualTo(id);
        assertThat(TopicId.isValid(id)).isTrue();
    }

    @Test
    void acceptsEveryAsciiLetterAndDigit() {
        assertThat(TopicId.of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").value())
                .isEqualTo("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789");
    }

    @Test
    void acceptsAnIdOfDigitsOnly() {
        assertThat(TopicId.of("12345678").value()).isEqualTo("12345678");
    }

    @Test
    void rejectsSevenCharacters() {
        assertRejected("abc1234");
    }

    @Test
    void rejectsSixtyFiveCharacters() {
        String id = "a".repeat(65);
        assertRejected(id);
    }

    @ParameterizedTest(name = "rejects {0}")
    @ValueSource(strings = {
        "abcd-1234", // hyphen
        "abcd_1234", // underscore
        "abcd%1234", // percent (also what a URL-encoded id would start with)
        "abcd%20234",
        "abcd 1234", // space
        " abcd1234", // leading space
        "abcd1234 ", // trailing space
        "abcd\t1234", // tab
        "abcd.1234",
        "abcd/1234",
        "abcd+1234",
        "caf\u00e9abcd", // é, a non-ASCII letter
        "abcd\u06631234", // ٣, an Arabic-Indic digit (Character.isDigit is true for it)
        "abcd\uff11234", // a full-width digit one
        "abcd\u0000234", // NUL
        "abcd\u212a234", // Kelvin sign, whose lower case is an ASCII k
        "\ud83d\ude00abcdefg", // an astral-plane character (a surrogate pair)
    })
    void rejectsAnythingButAsciiLettersAndDigits(String id) {
        assertRejected(id);
    }

    @Test
    void rejectsTheEmptyString() {
        assertRejected("");
    }

    @Test
    void rejectsNull() {
        assertThat(TopicId.isValid(null)).isFalse();
        InvalidTopicIdException e = catchThrowableOfType(InvalidTopicIdException.class, () -> TopicId.of(null));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains(VALID_RULE).contains("null");
    }

    @Test
    void rejectsAnInvalidIdThroughTheRecordConstructorToo() {
        assertThatThrownBy(() -> new TopicId("short")).isInstanceOf(InvalidTopicIdException.class);
    }

    @Test
    void canonicalFormIsLowerCase() {
        TopicId id = TopicId.of("ABCdef123XYZ");
        assertThat(id.value()).isEqualTo("abcdef123xyz");
        assertThat(id.toString()).isEqualTo("abcdef123xyz");
    }

    @Test
    void recordConstructorCanonicalisesToo() {
        assertThat(new TopicId("ABCDEFGH").value()).isEqualTo("abcdefgh");
    }

    @Test
    void idsDifferingOnlyInLetterCaseAreTheSameTopic() {
        TopicId mixed = TopicId.of("ABCdef123");
        TopicId lower = TopicId.of("abcdef123");
        assertThat(mixed).isEqualTo(lower);
        assertThat(mixed.hashCode()).isEqualTo(lower.hashCode());
        assertThat(mixed.compareTo(lower)).isZero();
        TreeSet<TopicId> set = new TreeSet<>();
        set.add(mixed);
        set.add(lower);
        set.add(TopicId.of("ABCDEF123"));
        assertThat(set).containsExactly(lower);
    }

    @Test
    void idsThatDifferAreNotEqual() {
        assertThat(TopicId.of("abcdef123")).isNotEqualTo(TopicId.of("abcdef124"));
        assertThat(TopicId.of("abcdef123").compareTo(TopicId.of("abcdef124"))).isNegative();
    }

    @Test
    void canonicalFormDoesNotDependOnTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR")); // where "I".toLowerCase() is a dotless ı
            assertThat(TopicId.of("TITLEIII").value()).isEqualTo("titleiii");
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void errorSaysWhatAValidIdIsAndShowsTheBadValue() {
        InvalidTopicIdException e = catchThrowableOfType(InvalidTopicIdException.class, () -> TopicId.of("abc"));
        assertThat(e.getMessage()).contains(VALID_RULE).contains("'abc'");
        assertThat(e.reason()).isEqualTo(e.getMessage());
    }

    @Test
    void errorIsABadRequest() {
        InvalidTopicIdException e = catchThrowableOfType(InvalidTopicIdException.class, () -> TopicId.of("abcd-1234"));
        assertThat(e).isInstanceOf(EsperException.class);
        assertThat(e.status()).isEqualTo(400);
    }

    @Test
    void errorEscapesControlAndNonAsciiCharactersOfTheBadValue() {
        String bad = "ab\u0000c\r\nd\u00e9\u0663\u001b[31m";
        InvalidTopicIdException e = catchThrowableOfType(InvalidTopicIdException.class, () -> TopicId.of(bad));
        String message = e.getMessage();
        assertThat(message).contains(VALID_RULE);
        assertThat(message.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
        assertThat(message).contains("\\u0000", "\\u000d", "\\u000a", "\\u00e9", "\\u0663", "\\u001b");
    }

    @Test
    void errorCannotBeConfusedByQuotesInTheBadValue() {
        InvalidTopicIdException e = catchThrowableOfType(InvalidTopicIdException.class, () -> TopicId.of("a'b\\c"));
        assertThat(e.getMessage()).doesNotContain("a'b").doesNotContain("b\\c");
    }

    @Test
    void errorCutsAVeryLongBadValue() {
        String bad = "x".repeat(100_000);
        InvalidTopicIdException e = catchThrowableOfType(InvalidTopicIdException.class, () -> TopicId.of(bad));
        assertThat(e.getMessage()).contains(VALID_RULE).hasSizeLessThan(300).contains("100000");
    }

    private static void assertRejected(String id) {
        assertThat(TopicId.isValid(id)).as("isValid(%s)", id).isFalse();
        InvalidTopicIdException e = catchThrowableOfType(InvalidTopicIdException.class, () -> TopicId.of(id));
        assertThat(e).as("TopicId.of(%s)", id).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains(VALID_RULE);
    }
}
