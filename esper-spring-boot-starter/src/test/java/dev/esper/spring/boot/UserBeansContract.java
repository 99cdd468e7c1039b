package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.auth.AccessPolicy;
import dev.esper.broker.Broker;
import dev.esper.event.Event;
import dev.esper.servlet.EsperServlet;
import dev.esper.testsupport.RawHttp;
import dev.esper.topic.TopicId;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * The application's own {@link Broker} and {@link AccessPolicy} beans replace esper's: the servlet serves that
 * broker, and that policy (open) wins over the secret in the properties.
 */
@SpringBootTest(classes = UserBeansContract.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "esper.subscriber-secret=a-subscriber-secret-of-at-least-32-bytes")
abstract class UserBeansContract extends WebContract {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        Broker myBroker() {
            return Broker.builder().historySize(5).build();
        }

        @Bean
        AccessPolicy myPolicy() {
            return AccessPolicy.openToAll();
        }
    }

    @Autowired
    Broker broker;

    @Autowired
    ServletRegistrationBean<EsperServlet> registration;

    @Test
    void theServletServesTheApplicationsBrokerWithItsPolicy() throws Exception {
        assertThat(context.getBeansOfType(Broker.class)).containsOnlyKeys("myBroker");
        assertThat(context.getBeansOfType(AccessPolicy.class)).containsOnlyKeys("myPolicy");
        assertThat(registration.getServlet().broker()).isSameAs(broker);

        try (RawHttp stream = Http.get(port, "/esper/subscribe/mybroker1")) {
            assertThat(stream.status()).as("open: the application's policy, not the secret").isEqualTo(200);
            stream.awaitBody(":ok\n\n", Duration.ofSeconds(5));
            broker.publish(TopicId.of("mybroker1"), Event.of("from my broker"));
            stream.awaitBody("data: from my broker\n\n", Duration.ofSeconds(5));
        }
    }
}
