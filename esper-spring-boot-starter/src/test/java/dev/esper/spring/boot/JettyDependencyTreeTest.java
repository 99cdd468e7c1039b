package dev.esper.spring.boot;

import org.junit.jupiter.api.Tag;

/** {@link DependencyTreeContract} on the class path of the Jetty run (an application on Jetty). */
@Tag("jetty")
class JettyDependencyTreeTest extends DependencyTreeContract {
}
