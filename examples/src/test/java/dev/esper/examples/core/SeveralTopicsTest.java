package dev.esper.examples.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The library page's example of several topics on one stream does what its comments say. */
class SeveralTopicsTest {
    @Test
    void aResumeFromTheFirstEventsIdGivesTheOtherTopicWhatItMissed() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            SeveralTopics.main(new String[0]);
        } finally {
            System.setOut(stdout);
        }

        String printed = out.toString(StandardCharsets.UTF_8);
        String resumed = printed.substring(printed.indexOf(":ok", printed.indexOf(":ok") + 1));
        assertThat(printed).contains("id: livescores:1", "event: goal\ndata: 1-0");
        assertThat(resumed).doesNotContain("1-0").contains("id: chatroom42:1")
                .containsSubsequence("data: what a goal", "data: missed this one too");
    }
}
