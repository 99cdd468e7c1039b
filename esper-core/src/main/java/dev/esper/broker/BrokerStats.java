package dev.esper.broker;

import dev.esper.internal.Json;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A snapshot of a broker's counters ({@code GET /stats}).
 *
 * @param clients open subscriber streams
 * @param topics topics held (with a subscriber or a retained event)
 * @param published events published since start
 * @param delivered events handed to subscribers' streams since start, replays included
 * @param dropped subscribers disconnected for being too slow, or for the memory budget
 * @param evicted idle topics evicted to make room
 * @param retainedEvents events currently retained for resumes
 * @param retainedBytes bytes of those events' frames
 * @param memoryBudget the bound on the heap the broker may hold in events (the memory-budget setting)
 * @param memoryHeld what it holds at the last count, plus what was published since: retained events and those
 *     held for subscribers that are behind, at their heap cost
 * @param droppedForMemory the subscribers among {@code dropped} that were dropped for the memory budget
 * @param uptimeSeconds seconds since the broker started
 * @param backlogBytes the fan-out backlog: over every open stream, the bytes published to its topic that it has
 *     not yet been handed (replays included, the write in flight not), as of the last maintenance pass (at most
 *     a second old)
 * @param rejected requests refused by a front end ({@link Broker#recordRejected}), by HTTP status, in status
 *     order; the statuses esper answers with are present from the start, at 0
 * @param transport the transport's {@link Transport#status()}; empty for the local transport
 */
public record BrokerStats(int clients, int topics, long published, long delivered, long dropped, long evicted,
        long retainedEvents, long retainedBytes, long memoryBudget, long memoryHeld, long droppedForMemory,
        long uptimeSeconds, long backlogBytes, Map<Integer, Long> rejected, Map<String, Object> transport) {

    /** Copies {@code rejected} (keeping its order) and {@code transport}. */
    public BrokerStats {
        rejected = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(rejected, "rejected")));
        transport = Map.copyOf(Objects.requireNonNull(transport, "transport"));
    }

    /**
     * The JSON body of {@code GET /stats}; {@code "rejected"} lists the statuses counted at least once, and
     * {@code "transport"} appears only when the transport reports a state.
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder(192);
        sb.append("{\"clients\":").append(clients).append(",\"topics\":").append(topics)
                .append(",\"published\":").append(published).append(",\"delivered\":").append(delivered)
                .append(",\"dropped\":").append(dropped).append(",\"evicted\":").append(evicted)
                .append(",\"retained_events\":").append(retainedEvents)
                .append(",\"retained_bytes\":").append(retainedBytes)
                .append(",\"memory_budget\":").append(memoryBudget)
                .append(",\"memory_held\":").append(memoryHeld)
                .append(",\"dropped_for_memory\":").append(droppedForMemory)
                .append(",\"uptime_seconds\":").append(uptimeSeconds)
                .append(",\"backlog_bytes\":").append(backlogBytes)
                .append(",\"rejected\":{");
        boolean firstStatus = true;
        for (Map.Entry<Integer, Long> e : rejected.entrySet()) {
            if (e.getValue() > 0) {
                sb.append(firstStatus ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
                firstStatus = false;
            }
        }
        sb.append('}');
        if (!transport.isEmpty()) {
            sb.append(",\"transport\":{");
            boolean first = true;
            for (Map.Entry<String, Object> e : new TreeMap<>(transport).entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                Json.string(sb, e.getKey());
                sb.append(':');
                Object v = e.getValue();
                if (v instanceof Number || v instanceof Boolean) {
                    sb.append(v);
                } else {
                    Json.string(sb, String.valueOf(v));
                }
            }
            sb.append('}');
        }
        return sb.append('}').toString();
    }
}
