package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DaemonThreadsTest {
    @Test
    void namesItsThreadsInOrderAfterThePrefixAndMakesThemDaemons() {
        DaemonThreads threads = new DaemonThreads("esper-test");

        Thread first = threads.newThread(() -> { });
        Thread second = threads.newThread(() -> { });

        assertThat(first.getName()).isEqualTo("esper-test-1");
        assertThat(second.getName()).isEqualTo("esper-test-2");
        assertThat(first.isDaemon()).isTrue();
    }
}
