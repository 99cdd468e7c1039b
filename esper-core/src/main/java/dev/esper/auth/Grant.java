package dev.esper.auth;

import dev.esper.topic.TopicId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which topics a valid token grants (SPEC 9.1): its {@code sub}, the ids of its {@code topics} array, or
 * every topic when {@code topics} is {@code "*"} or holds {@code "*"}. Ids compare as topic ids (ASCII case
 * only); a listed string that is not a valid topic id grants nothing. Immutable.
 */
final class Grant {
    private final boolean everything;
    private final Set<TopicId> topics;

    private Grant(boolean everything, Set<TopicId> topics) {
        this.everything = everything;
        this.topics = topics;
    }

    /**
     * Reads the grant of a token whose signature and times were checked.
     *
     * @throws AuthenticationException if it has neither {@code sub} nor {@code topics}, or either has the
     *     wrong type
     */
    static Grant of(Claims claims) {
        boolean hasSub = claims.has("sub");
        boolean hasTopics = claims.has("topics");
        if (!hasSub && !hasTopics) {
            throw AuthenticationException.invalidToken(
                    "token has neither 'sub' (one topic) nor 'topics' (an array of topics, or \"*\")");
        }
        Set<TopicId> granted = new HashSet<>();
        boolean everything = false;
        if (hasSub) {
            Object sub = claims.get("sub");
            if (!(sub instanceof String) || ((String) sub).isEmpty()) {
                throw AuthenticationException.invalidToken("token 'sub' claim must be a non-empty string naming the topic");
            }
            addIfValid(granted, (String) sub);
        }
        if (hasTopics) {
            Object topics = claims.get("topics");
            if ("*".equals(topics)) {
                everything = true;
            } else if (topics instanceof List) {
                for (Object t : (List<?>) topics) {
                    if (!(t instanceof String)) {
                        throw AuthenticationException.invalidToken(
                                "token 'topics' claim must be an array of strings or \"*\"");
                    }
                    if ("*".equals(t)) {
                        everything = true;
                    } else {
                        addIfValid(granted, (String) t);
                    }
                }
            } else {
                throw AuthenticationException.invalidToken("token 'topics' claim must be an array of strings or \"*\"");
            }
        }
        return new Grant(everything, Set.copyOf(granted));
    }

    private static void addIfValid(Set<TopicId> into, String id) {
        // Compare as topic ids (ASCII case only): Unicode case folding would let 'K' (Kelvin) match 'k'.
        if (TopicId.isValid(id)) {
            into.add(TopicId.of(id));
        }
    }

    boolean grants(TopicId topic) {
        return everything || topics.contains(topic);
    }
}
