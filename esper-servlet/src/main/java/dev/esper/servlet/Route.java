package dev.esper.servlet;

import dev.esper.topic.TopicId;

/**
 * Where a request goes (SPEC 2), from its path relative to the servlet's mapping: {@code /subscribe/{topic}},
 * {@code /publish/{topic}}, {@code /stats}, or nowhere ({@code 404}).
 *
 * <p>Immutable.
 *
 * @param kind the route
 * @param rawTopic the topic segment as received (unvalidated), or null for {@code /stats} and unknown paths
 */
record Route(Kind kind, String rawTopic) {
    /** The routes and the one method each serves. */
    enum Kind {
        SUBSCRIBE("GET"),
        PUBLISH("POST"),
        STATS("GET"),
        NOT_FOUND(null);

        final String method;

        Kind(String method) {
            this.method = method;
        }

        /** The {@code Allow} header of this route. */
        String allow() {
            return method + ", OPTIONS";
        }
    }

    private static final String SUBSCRIBE = "/subscribe/";
    private static final String PUBLISH = "/publish/";

    /**
     * Routes a path ({@code getPathInfo()} for a servlet mapped at {@code /*} or {@code /prefix/*}).
     * Everything after {@code /subscribe/} or {@code /publish/} is the topic segment, to be validated by
     * {@link #topic()}; so {@code /subscribe/a/b} is a known route with an invalid topic ({@code 400}).
     */
    static Route of(String path) {
        if (path == null) {
            return new Route(Kind.NOT_FOUND, null);
        }
        if (path.startsWith(SUBSCRIBE)) {
            return new Route(Kind.SUBSCRIBE, path.substring(SUBSCRIBE.length()));
        }
        if (path.startsWith(PUBLISH)) {
            return new Route(Kind.PUBLISH, path.substring(PUBLISH.length()));
        }
        if (path.equals("/stats")) {
            return new Route(Kind.STATS, null);
        }
        return new Route(Kind.NOT_FOUND, null);
    }

    /** Whether the route has a topic segment. */
    boolean hasTopic() {
        return kind == Kind.SUBSCRIBE || kind == Kind.PUBLISH;
    }

    /**
     * The validated topic.
     *
     * @throws dev.esper.topic.InvalidTopicIdException ({@code 400}) if the segment is not a valid id
     */
    TopicId topic() {
        return TopicId.of(rawTopic);
    }
}
