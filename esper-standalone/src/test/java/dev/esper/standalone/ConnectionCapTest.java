package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionCapTest {
    @Test
    void capsConnectionsAtMaxSubscribersPlusHeadroomWhenTheFileLimitAllows() {
        ConnectionCap cap = ConnectionCap.of(1_000, 20_000);

        assertThat(cap.connections()).isEqualTo(1_100);
        assertThat(cap.lowered()).isFalse();
        assertThat(cap.warning()).isEmpty();
        assertThat(cap.note()).isEmpty();
    }

    @Test
    void keepsFivePercentOfTheFileLimitForTheJvmAtLeast128AtMostHalf() {
        assertThat(ConnectionCap.reservedFiles(20_000)).isEqualTo(1_000);
        assertThat(ConnectionCap.reservedFiles(1_024)).isEqualTo(128);
        assertThat(ConnectionCap.reservedFiles(100)).isEqualTo(50);
        assertThat(ConnectionCap.reservedFiles(1)).isZero();
    }

    @Test
    void warnsThatMaxSubscribersCannotBeReachedWhenTheFileLimitIsBelowIt() {
        ConnectionCap cap = ConnectionCap.of(100_000, 20_000);

        assertThat(cap.connections()).isEqualTo(19_000);
        assertThat(cap.lowered()).isTrue();
        assertThat(cap.warning()).hasValue("--max-subscribers=100000 cannot be reached: the process may open "
                + "20000 files (ulimit -n), so connections are capped at 19000 (1000 files kept for the JVM); "
                + "raise the limit or lower --max-subscribers");
        assertThat(cap.note()).isEmpty();
    }

    @Test
    void notesALoweredCapThatStillLeavesRoomForMaxSubscribers() {
        ConnectionCap cap = ConnectionCap.of(900, 1_024);

        assertThat(cap.connections()).isEqualTo(896);
        assertThat(cap.warning()).hasValueSatisfying(w -> assertThat(w).contains("--max-subscribers=900"));

        ConnectionCap roomy = ConnectionCap.of(850, 1_024);
        assertThat(roomy.connections()).isEqualTo(896);
        assertThat(roomy.warning()).isEmpty();
        assertThat(roomy.note()).hasValue("connections capped at 896 by the open-files limit (1024, 128 kept for "
                + "the JVM): 46 beside 850 streams");
    }

    @Test
    void fallsBackToMaxSubscribersAloneWhenTheFileLimitIsUnknown() {
        ConnectionCap cap = ConnectionCap.of(100_000, ConnectionCap.UNKNOWN);

        assertThat(cap.connections()).isEqualTo(110_000);
        assertThat(cap.fileLimit()).isEqualTo(ConnectionCap.UNKNOWN);
        assertThat(cap.warning()).isEmpty();
        assertThat(ConnectionCap.of(10, 0).connections()).isEqualTo(74);
    }

    @Test
    void neverCapsBelowOneConnection() {
        assertThat(ConnectionCap.of(10, 1).connections()).isEqualTo(1);
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
