package dev.esper.spring.boot;

/** {@link ZeroCodeAppContract} on embedded Tomcat. */
class TomcatZeroCodeAppTest extends ZeroCodeAppContract {
}
