package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WarmUpTest {
    private static final String SECRET_A = "warm-up-test-subscriber-secret-0123456789";
    private static final String SECRET_B = "warm-up-test-publisher-secret-0123456789";

    @Test
    void warmsUpAnOpenServerOverLoopbackAndLeavesNoThreadBehind() throws Exception {
        Set<Thread> before = esperThreads();

        WarmUp.Report report = WarmUp.run(EsperConfig.builder().noAuth(true).warmUp(Duration.ofSeconds(60)).build());

        assertThat(report.complete()).isTrue();
        assertThat(report.cycles()).isBetween(1, WarmUp.MAX_CYCLES);
        assertThat(report.deliveries()).isEqualTo((long) report.cycles() * WarmUp.STREAMS * WarmUp.EVENTS);
        assertThat(report.publishes()).isEqualTo((long) report.cycles() * (WarmUp.EVENTS + WarmUp.PUBLISHES));
        assertThat(report.connections()).isEqualTo((long) report.cycles() * (WarmUp.STREAMS + WarmUp.PUBLISHERS) + 1);
        assertThat(report.toString()).startsWith("warmed up in ").contains(report.cycles() + " cycle(s)");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(esperThreads())
                .as("the throwaway server's and the warm-up's threads are gone").isSubsetOf(before));
    }

    @Test
    void warmsUpAProtectedServerWithTokensItMintsForSecretsOfItsOwn() throws Exception {
        EsperConfig config = EsperConfig.builder().subscriberSecret(SECRET_A).publisherSecret(SECRET_B)
                .warmUp(Duration.ofSeconds(60)).build();

        WarmUp.Report report = WarmUp.run(config);

        assertThat(report.complete()).isTrue();
        assertThat(report.publishes()).as("every publish got its 200").isGreaterThanOrEqualTo(WarmUp.PUBLISHES);
    }

    @Test
    void aBudgetTooShortForOneCycleCutsTheWarmUpShortAndSaysSo() throws Exception {
        WarmUp.Report report = WarmUp.run(EsperConfig.builder().noAuth(true).build(), Duration.ofMillis(1));

        assertThat(report.complete()).isFalse();
        assertThat(report.toString()).contains("cut short by --warm-up");
    }

    @Test
    void warmsUpWithFewerStreamsWhenTheServerAdmitsFewerOrFilesAreScarce() {
        assertThat(WarmUp.streamsFor(100_000, 20_000)).isEqualTo(WarmUp.STREAMS);
        assertThat(WarmUp.streamsFor(10, 20_000)).as("a quarter of --max-subscribers").isEqualTo(2);
        assertThat(WarmUp.streamsFor(1_000, 512)).as("a quarter of the subscribers 512 files allow")
                .isEqualTo(ConnectionCap.of(1_000, 512).subscribers() / 4);
    }

    @Test
    void aWarmUpThatDoesNotEndInTimeIsLeftBehindSayingWhereItStandsAndTheStartGoesOn() {
        CountDownLatch never = new CountDownLatch(1);
        try {
            String line = EsperMain.awaitWarmUp(() -> {
                never.await();
                return null;
            }, 200, 0);

            assertThat(line).startsWith("warm-up did not end within 0.2 s, starting without it; it stands at ")
                    .contains("CountDownLatch.await");
            assertThat(esperThreads()).as("the stuck warm-up is left behind, as a daemon thread")
                    .anyMatch(t -> t.getName().equals("esper-warm-up") && t.isDaemon());
        } finally {
            never.countDown();
        }
    }

    @Test
    void aWarmUpThatFailsIsReportedAndTheStartGoesOn() {
        String line = EsperMain.awaitWarmUp(() -> {
            throw new IOException("no loopback here");
        }, 10_000, 5);

        assertThat(line).isEqualTo("warm-up failed, starting without it: java.io.IOException: no loopback here");
    }

    private static Set<Thread> esperThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("esper-")).collect(Collectors.toSet());
    }
}
