package dev.esper.spring.boot;

/** {@link ActuatorContract} on embedded Tomcat. */
class TomcatActuatorTest extends ActuatorContract {
}
