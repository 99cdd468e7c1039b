package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedCountTest {
    @Test
    void reservesUpToItsMaximumAndNoFurther() {
        BoundedCount count = new BoundedCount(2);

        assertThat(count.tryReserve()).isTrue();
        assertThat(count.tryReserve()).isTrue();
        assertThat(count.tryReserve()).isFalse();
        assertThat(count.get()).isEqualTo(2);
    }

    @Test
    void refusesPastItsMaximumNamingWhatAndTheLimit() {
        BoundedCount count = new BoundedCount(1);
        count.reserve("subscribers", "max-subscribers");

        assertThatThrownBy(() -> count.reserve("subscribers", "max-subscribers"))
                .isInstanceOf(CapacityExceededException.class)
                .hasMessage("too many subscribers (1, the max-subscribers limit); try again later");
        assertThat(count.get()).isEqualTo(1);
    }

    @Test
    void releasingAPlaceLetsTheNextReservationIn() {
        BoundedCount count = new BoundedCount(1);
        count.reserve("topics", "max-topics");

        count.release();

        assertThat(count.tryReserve()).isTrue();
    }

    @Test
    void neverPassesItsMaximumWhenThreadsRaceForThePlaces() {
        BoundedCount count = new BoundedCount(100);
        AtomicInteger granted = new AtomicInteger();
        List<CompletableFuture<Void>> racers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            racers.add(CompletableFuture.runAsync(() -> {
                for (int j = 0; j < 1000; j++) {
                    if (count.tryReserve()) {
                        granted.incrementAndGet();
                    }
                }
            }));
        }
        CompletableFuture.allOf(racers.toArray(CompletableFuture[]::new)).join();

        assertThat(granted.get()).isEqualTo(100);
        assertThat(count.get()).isEqualTo(100);
    }
}
