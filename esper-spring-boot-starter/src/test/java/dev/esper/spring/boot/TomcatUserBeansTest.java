package dev.esper.spring.boot;

/** {@link UserBeansContract} on embedded Tomcat. */
class TomcatUserBeansTest extends UserBeansContract {
}
