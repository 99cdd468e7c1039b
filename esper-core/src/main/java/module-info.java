/**
 * esper's dependency-free core: topic ids ({@code dev.esper.topic}), SSE parsing and framing
 * ({@code dev.esper.event}), the fan-out broker with retention and resume ({@code dev.esper.broker}), the token
 * rules ({@code dev.esper.auth}), the one configuration model ({@code dev.esper.config}) and the HTTP API that
 * every front end serves ({@code dev.esper.http}). {@code dev.esper.internal} is not exported.
 */
module dev.esper.core {
    exports dev.esper;
    exports dev.esper.auth;
    exports dev.esper.broker;
    exports dev.esper.config;
    exports dev.esper.event;
    exports dev.esper.http;
    exports dev.esper.topic;

    uses dev.esper.broker.TransportProvider;
}
