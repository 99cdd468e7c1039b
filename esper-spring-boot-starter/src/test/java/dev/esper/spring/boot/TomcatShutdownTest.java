package dev.esper.spring.boot;

/** {@link ShutdownContract} on embedded Tomcat. */
class TomcatShutdownTest extends ShutdownContract {
}
