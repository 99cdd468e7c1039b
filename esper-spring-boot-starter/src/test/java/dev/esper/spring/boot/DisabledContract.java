package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.auth.AccessPolicy;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.testsupport.RawHttp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.web.servlet.ServletRegistrationBean;

/** {@code esper.enabled=false}: the application runs, and esper registers nothing. */
@SpringBootTest(classes = DisabledContract.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "esper.enabled=false")
abstract class DisabledContract extends WebContract {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @Test
    void noBeanOfEspersIsDefined() {
        assertThat(context.getBeansOfType(Broker.class)).isEmpty();
        assertThat(context.getBeansOfType(EsperConfig.class)).isEmpty();
        assertThat(context.getBeansOfType(AccessPolicy.class)).isEmpty();
        assertThat(context.getBeansOfType(ServletRegistrationBean.class).values())
                .noneMatch(r -> "esper".equals(r.getServletName()));
        assertThat(context.getBeanDefinitionNames()).noneMatch(name -> name.startsWith("esper"));
    }

    @Test
    void nothingIsServedAtThePath() throws Exception {
        try (RawHttp subscribe = Http.get(port, "/esper/subscribe/abcdef123")) {
            assertThat(subscribe.status()).isEqualTo(404);
            assertThat(subscribe.header("Content-Type")).doesNotStartWith("text/event-stream");
        }
    }
}
