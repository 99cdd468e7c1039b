package dev.esper.spring.boot;

import org.junit.jupiter.api.Tag;

/** {@link ActuatorContract} on embedded Jetty (the build's "jetty" run, without Tomcat). */
@Tag("jetty")
class JettyActuatorTest extends ActuatorContract {
}
