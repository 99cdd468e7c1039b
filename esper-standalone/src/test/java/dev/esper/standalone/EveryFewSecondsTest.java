package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EveryFewSecondsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void letsTheFirstLineThroughThenOneAPeriodWithTheCountInBetween() {
        EveryFewSeconds limit = new EveryFewSeconds(10 * SECOND);
        long t0 = 123 * SECOND;

        assertThat(limit.add(t0, 1)).isEqualTo(1);
        assertThat(limit.add(t0 + SECOND, 1)).isZero();
        assertThat(limit.add(t0 + 5 * SECOND, 3)).isZero();
        assertThat(limit.add(t0 + 10 * SECOND, 1)).isEqualTo(5);
        assertThat(limit.add(t0 + 11 * SECOND, 2)).isZero();
        assertThat(limit.add(t0 + 25 * SECOND, 1)).isEqualTo(3);
    }

    @Test
    void rejectsAPeriodThatIsNotPositive() {
        assertThatThrownBy(() -> new EveryFewSeconds(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("period must be positive, was 0 ns");
    }
}
