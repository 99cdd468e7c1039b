package dev.esper.broker;

/**
 * A snapshot of a broker's counters ({@code GET /stats}).
 *
 * @param clients open subscriber streams
 * @param topics topics held (with a subscriber or a retained event)
 * @param published events published since start
 * @param delivered events handed to subscribers' streams since start, replays included
 * @param dropped subscribers disconnected for being too slow
 * @param evicted idle topics evicted to make room
 * @param retainedEvents events currently retained for resumes
 * @param retainedBytes bytes of those events' frames
 * @param uptimeSeconds seconds since the broker started
 */
public record BrokerStats(int clients, int topics, long published, long delivered, long dropped, long evicted,
        long retainedEvents, long retainedBytes, long uptimeSeconds) {

    /** The JSON body of {@code GET /stats}. */
    public String toJson() {
        return "{\"clients\":" + clients + ",\"topics\":" + topics + ",\"published\":" + published
                + ",\"delivered\":" + delivered + ",\"dropped\":" + dropped + ",\"evicted\":" + evicted
                + ",\"retained_events\":" + retainedEvents + ",\"retained_bytes\":" + retainedBytes
                + ",\"uptime_seconds\":" + uptimeSeconds + "}";
    }
}
