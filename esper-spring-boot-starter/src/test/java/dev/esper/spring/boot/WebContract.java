package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/**
 * What every {@code @SpringBootTest(webEnvironment = RANDOM_PORT)} contract shares: the port, the context, and
 * a check that the test runs on the container its class is named after ({@code Tomcat...Test} or
 * {@code Jetty...Test}: Spring Boot picks the container from the class path, which the build sets per run).
 */
abstract class WebContract {
    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    /** {@code "Tomcat"} or {@code "Jetty"}, from the concrete class's name. */
    String container() {
        return getClass().getSimpleName().startsWith("Jetty") ? "Jetty" : "Tomcat";
    }

    @Test
    void runsOnTheContainerItIsNamedAfter() {
        assertThat(((WebServerApplicationContext) context).getWebServer().getClass().getSimpleName())
                .startsWith(container());
    }
}
