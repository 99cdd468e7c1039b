package dev.esper.bench;

import dev.esper.broker.Broker;
import dev.esper.broker.Chunk;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a stream of several topics costs against one stream per topic (SPEC 8), in one process, printed as a
 * table; no pass or fail. Three measures:
 * <ol>
 *   <li>the cursor's length ({@code id: <topic>:<cursor>}) at 1, 8 and 32 topics, with positions as a busy broker
 *       or Redis makes them;</li>
 *   <li>CPU per delivery (the publishing thread's CPU time, delivery inline, so waiting for a shared core does
 *       not count), for {@value #READERS} readers of every topic, each on one stream of all of them or on one
 *       stream per topic;</li>
 *   <li>heap per idle reader (after full GCs) in the broker, the same two ways; the HTTP server's share (Jetty's
 *       connection, the socket) comes on top and is measured, with RSS, by {@code MultiTopicCostIT} in esper-it.</li>
 * </ol>
 * Run: {@code mvn -B -q -pl esper-bench -am package -Dmaven.test.skip=true && java -Xmx1g -XX:+UseSerialGC -cp
 * esper-bench/target/benchmarks.jar dev.esper.bench.MultiTopicCost}
 */
public final class MultiTopicCost {
    static final int READERS = 1_000;
    private static final int[] TOPICS = {1, 8, 32};
    private static final Pattern ID = Pattern.compile("(?m)^id: ([^\\n]*)$");

    private MultiTopicCost() {
    }

    /** Prints the three tables. */
    public static void main(String[] args) throws Exception {
        cursorLengths();
        cpuPerDelivery();
        heapPerReader();
    }

    /** A reader whose socket is always ready; keeps the last chunk's text when asked. */
    static final class Reader implements Flow.Subscriber<Chunk> {
        private final boolean keep;
        volatile String last = "";
        private Flow.Subscription s;

        Reader(boolean keep) {
            this.keep = keep;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            s = subscription;
            s.request(1);
        }

        @Override
        public void onNext(Chunk chunk) {
            if (keep) {
                last = chunk.toString();
            }
            s.request(1);
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }
    }

    private static List<TopicId> topics(int n) {
        List<TopicId> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TopicId.of("costtopic" + i));
        }
        return out;
    }

    private static Broker inline() {
        return Broker.builder().deliveryExecutor(Runnable::run).historySize(0).heartbeat(Duration.ZERO)
                .maxSubscribers(1_000_000).build();
    }

    // ---- 1. cursor length ------------------------------------------------------------------------------

    private static void cursorLengths() {
        System.out.println("Cursor length in characters (the id is <topic>:<cursor>)");
        System.out.println("topics | every topic just published | one broker, 100,000 events between topics | worst case");
        for (int n : TOPICS) {
            List<TopicId> ts = topics(n);
            int fresh;
            int busy;
            try (Broker broker = inline()) {
                Reader r = new Reader(true);
                broker.subscribe(ts, null, r);
                for (TopicId t : ts) {
                    broker.publish(t, Event.of("x"));
                }
                fresh = cursorOf(r.last).length();
            }
            try (Broker broker = inline()) {
                Reader r = new Reader(true);
                broker.subscribe(ts, null, r);
                for (TopicId t : ts) {
                    broker.publish(t, Event.of("x"));
                    for (int k = 0; k < 100; k++) {
                        broker.publish(TopicId.of("othertopic"), Collections1000.BATCH);
                    }
                }
                busy = cursorOf(r.last).length();
            }
            System.out.printf("%6d | %26d | %42d | %10d%n", n, fresh, busy, 1 + 6 + 12 * (n + 1));
        }
        System.out.println();
    }

    /** 1,000 events, published as one batch. */
    private static final class Collections1000 {
        static final List<Event> BATCH = java.util.Collections.nCopies(1000, Event.of("y"));
    }

    private static String cursorOf(String chunk) {
        Matcher m = ID.matcher(chunk);
        String id = null;
        while (m.find()) {
            id = m.group(1);
        }
        return id.substring(id.indexOf(':') + 1);
    }

    // ---- 2. CPU per delivery ---------------------------------------------------------------------------

    private static void cpuPerDelivery() {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        System.out.printf("CPU per delivery (ns, median of 7 rounds of %d publishes to %d readers), 100-byte events%n",
                20_000, READERS);
        System.out.println("topics | one stream of all topics | one stream per topic | bytes allocated per delivery (multi / single)");
        List<Event> event = List.of(Event.of("x".repeat(100)));
        for (int n : TOPICS) {
            long[] ns = new long[2];
            long[] alloc = new long[2];
            for (int mode = 0; mode < 2; mode++) {
                List<TopicId> ts = topics(n);
                try (Broker broker = inline()) {
                    for (int r = 0; r < READERS; r++) {
                        if (mode == 0) {
                            broker.subscribe(ts, null, new Reader(false));
                        } else {
                            for (TopicId t : ts) {
                                broker.subscribe(t, null, new Reader(false));
                            }
                        }
                    }
                    for (TopicId t : ts) {
                        broker.publish(t, event);
                    }
                    long[] rounds = new long[7];
                    int publishes = 20_000;
                    for (int warm = 0; warm < 3; warm++) {
                        publishRound(broker, ts, event, publishes);
                    }
                    com.sun.management.ThreadMXBean bytes = (com.sun.management.ThreadMXBean) cpu;
                    long a0 = bytes.getCurrentThreadAllocatedBytes();
                    for (int round = 0; round < rounds.length; round++) {
                        long t0 = cpu.getCurrentThreadCpuTime();
                        publishRound(broker, ts, event, publishes);
                        rounds[round] = (cpu.getCurrentThreadCpuTime() - t0) / ((long) publishes * READERS);
                    }
                    alloc[mode] = (bytes.getCurrentThreadAllocatedBytes() - a0) / ((long) rounds.length * publishes
                            * READERS);
                    Arrays.sort(rounds);
                    ns[mode] = rounds[rounds.length / 2];
                }
            }
            System.out.printf("%6d | %24d | %20d | %d / %d%n", n, ns[0], ns[1], alloc[0], alloc[1]);
        }
        System.out.println();
    }

    private static void publishRound(Broker broker, List<TopicId> ts, List<Event> event, int publishes) {
        for (int i = 0; i < publishes; i++) {
            broker.publish(ts.get(i % ts.size()), event);
        }
    }

    // ---- 3. heap per idle reader -----------------------------------------------------------------------

    private static void heapPerReader() throws Exception {
        int readers = 10_000;
        System.out.printf("Heap per idle reader of every topic, in the broker (bytes, %d readers, after full GCs)%n",
                readers);
        System.out.println("topics | one stream of all topics | one stream per topic (all its streams)");
        for (int n : TOPICS) {
            long[] heap = new long[2];
            for (int mode = 0; mode < 2; mode++) {
                List<TopicId> ts = topics(n);
                try (Broker broker = inline()) {
                    for (TopicId t : ts) {
                        broker.publish(t, Event.of("x"));
                    }
                    List<Reader> keep = new ArrayList<>(readers);
                    for (int r = 0; r < readers; r++) {
                        keep.add(new Reader(false));
                    }
                    long h0 = usedHeap();
                    for (Reader reader : keep) {
                        if (mode == 0) {
                            broker.subscribe(ts, null, reader);
                        } else {
                            for (TopicId t : ts) {
                                broker.subscribe(t, null, reader);
                            }
                        }
                    }
                    heap[mode] = (usedHeap() - h0) / readers;
                    if (keep.size() != readers || broker.stats().clients() != readers * (mode == 0 ? 1 : n)) {
                        throw new IllegalStateException("readers went missing");
                    }
                }
            }
            System.out.printf("%6d | %24d | %39d%n", n, heap[0], heap[1]);
        }
    }

    private static long usedHeap() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
