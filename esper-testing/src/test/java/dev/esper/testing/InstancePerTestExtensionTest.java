package dev.esper.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Registered in an instance field, the extension runs one server per test. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstancePerTestExtensionTest {
    private static final List<EsperTestServer> SEEN = new ArrayList<>();

    @RegisterExtension
    EsperExtension esper = EsperExtension.withDefaults();

    @Test
    @Order(1)
    void firstTestGetsAServer() {
        SEEN.add(esper.server());
        assertThat(esper.publish("perTest123", "data: x")).contains("\"published\":1");
    }

    @Test
    @Order(2)
    void secondTestGetsAnotherOne() {
        SEEN.add(esper.server());
        assertThat(esper.publish("perTest123", "data: y")).contains("\"published\":1");
    }

    @AfterAll
    static void eachTestHadItsOwnServer() {
        assertThat(SEEN).hasSize(2).doesNotHaveDuplicates();
    }
}
