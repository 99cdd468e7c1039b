package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionCapTest {
    @Test
    void capsConnectionsAtMaxSubscribersPlusHeadroomWhenTheFileLimitAllows() {
        ConnectionCap cap = ConnectionCap.of(1_000, 20_000);

        assertThat(cap.connections()).isEqualTo(1_100);
        assertThat(cap.subscribers()).isEqualTo(1_000);
        assertThat(cap.lowered()).isFalse();
        assertThat(cap.warning()).isEmpty();
    }

    @Test
    void keepsFivePercentOfTheFileLimitForTheJvmAtLeast128AtMostHalf() {
        assertThat(ConnectionCap.reservedFiles(20_000)).isEqualTo(1_000);
        assertThat(ConnectionCap.reservedFiles(1_024)).isEqualTo(128);
        assertThat(ConnectionCap.reservedFiles(100)).isEqualTo(50);
        assertThat(ConnectionCap.reservedFiles(1)).isZero();
    }

    @Test
    void warnsThatMaxSubscribersCannotBeReachedAndLowersTheSubscriberLimitWithTheCap() {
        ConnectionCap cap = ConnectionCap.of(100_000, 20_000);

        assertThat(cap.connections()).isEqualTo(19_000);
        assertThat(cap.subscribers()).isEqualTo(17_273);
        assertThat(EsperServer.maxConnections(17_273)).isEqualTo(19_000);
        assertThat(cap.lowered()).isTrue();
        assertThat(cap.warning()).hasValue("--max-subscribers=100000 cannot be reached: the process may open "
                + "20000 files (ulimit -n), so connections are capped at 19000 (1000 files kept for the JVM) and "
                + "subscribers at 17273 (the rest for publishers); raise the limit or lower --max-subscribers");
    }

    @Test
    void keepsAtLeast64ConnectionsBesideTheStreamsWhenTheCapIsLowered() {
        ConnectionCap cap = ConnectionCap.of(850, 1_024);

        assertThat(cap.connections()).isEqualTo(896);
        assertThat(cap.subscribers()).isEqualTo(815);
        assertThat(cap.warning()).hasValueSatisfying(w -> assertThat(w).contains("subscribers at 815"));
        assertThat(ConnectionCap.of(1_000, 512).subscribers()).isEqualTo(320);
        assertThat(ConnectionCap.of(1_000, 100).subscribers()).isEqualTo(1);
    }

    @Test
    void fallsBackToMaxSubscribersAloneWhenTheFileLimitIsUnknown() {
        ConnectionCap cap = ConnectionCap.of(100_000, ConnectionCap.UNKNOWN);

        assertThat(cap.connections()).isEqualTo(110_000);
        assertThat(cap.subscribers()).isEqualTo(100_000);
        assertThat(cap.fileLimit()).isEqualTo(ConnectionCap.UNKNOWN);
        assertThat(cap.warning()).isEmpty();
        assertThat(ConnectionCap.of(10, 0).connections()).isEqualTo(74);
    }

    @Test
    void neverCapsBelowOneConnection() {
        assertThat(ConnectionCap.of(10, 1).connections()).isEqualTo(1);
        assertThat(ConnectionCap.of(10, 1).subscribers()).isEqualTo(1);
        assertThat(ConnectionCap.of(Integer.MAX_VALUE, Long.MAX_VALUE).connections()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void readsThisProcesssOpenFilesLimitWhereThePlatformSays() {
        long limit = ConnectionCap.processFileLimit();

        assertThat(limit == ConnectionCap.UNKNOWN || limit > 0).as("limit %d", limit).isTrue();
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertThat(limit).isPositive();
        }
    }
}
