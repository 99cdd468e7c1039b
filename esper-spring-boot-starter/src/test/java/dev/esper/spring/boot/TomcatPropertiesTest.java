package dev.esper.spring.boot;

/** {@link PropertiesContract} on embedded Tomcat. */
class TomcatPropertiesTest extends PropertiesContract {
}
