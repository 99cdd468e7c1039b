package dev.esper.spring.boot;

/** {@link EventsFromAppCodeContract} on embedded Tomcat. */
class TomcatEventsFromAppCodeTest extends EventsFromAppCodeContract {
}
