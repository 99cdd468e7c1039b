package dev.esper.spring.boot;

/** {@link DisabledContract} on embedded Tomcat. */
class TomcatDisabledTest extends DisabledContract {
}
