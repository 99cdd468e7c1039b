package dev.esper.spring.boot;

/** {@link DependencyTreeContract} on the class path of the Tomcat run (an application on Tomcat). */
class TomcatDependencyTreeTest extends DependencyTreeContract {
}
