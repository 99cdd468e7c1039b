package dev.esper.broker;

import dev.esper.internal.Json;
import java.util.List;
import java.util.Objects;

/**
 * What a publish did: how many events it published, their ids in order, and how many subscribers
 * the topic had when they were published.
 *
 * @param published the number of events
 * @param ids the ids (assigned or given), in publish order
 * @param subscribers the topic's subscriber count at publish time
 */
public record PublishResult(int published, List<String> ids, int subscribers) {
    /** Copies {@code ids}. */
    public PublishResult {
        ids = List.copyOf(Objects.requireNonNull(ids, "ids"));
    }

    /** The JSON body of a publish response, e.g. {@code {"published":1,"ids":["17"],"subscribers":3}}. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(32 + ids.size() * 12);
        sb.append("{\"published\":").append(published).append(",\"ids\":[");
        for (int i = 0; i < ids.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            Json.string(sb, ids.get(i));
        }
        return sb.append("],\"subscribers\":").append(subscribers).append('}').toString();
    }
}
