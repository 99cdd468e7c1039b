package dev.esper.bench;

import dev.esper.broker.Broker;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CPU a delivery costs on a stream of several topics (SPEC 8) against one stream per topic. {@code topics}
 * topics, and {@link #READERS} readers who follow all of them: either each on one stream of all the topics
 * ({@code multi}), or each on one stream per topic ({@code single}: {@code READERS × topics} streams). Each
 * invocation publishes a 100-byte event to the next topic in turn, delivered inline to its {@link #READERS}
 * readers, so the score is in deliveries per second either way (a multi-topic delivery re-frames the event with
 * its cursor; a one-topic delivery hands out the shared frame). With {@code -prof gc}, {@code gc.alloc.rate.norm}
 * is the bytes allocated per delivery.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MultiTopicFanoutBenchmark {
    /** Readers following every topic. */
    static final int READERS = 1_000;

    @Param({"1", "8", "32"})
    public int topics;

    @Param({"multi", "single"})
    public String streams;

    private Broker broker;
    private final List<TopicId> ids = new ArrayList<>();
    private final List<Event> event = List.of(Event.of("x".repeat(100)));
    private int next;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        broker = Broker.builder().deliveryExecutor(Runnable::run).historySize(0).heartbeat(Duration.ZERO)
                .maxSubscribers(READERS * 32).build();
        for (int i = 0; i < topics; i++) {
            ids.add(TopicId.of("benchtopic" + i));
        }
        for (int r = 0; r < READERS; r++) {
            if (streams.equals("multi")) {
                broker.subscribe(ids, null, new FanoutBenchmark.ReadySubscriber(bh));
            } else {
                for (TopicId t : ids) {
                    broker.subscribe(t, null, new FanoutBenchmark.ReadySubscriber(bh));
                }
            }
        }
        // Every topic has had an event, so cursors hold real positions of every topic.
        for (TopicId t : ids) {
            broker.publish(t, event);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        broker.close(Duration.ZERO);
    }

    /** Publish one event to the next topic and deliver it to its {@link #READERS} readers. */
    @Benchmark
    @OperationsPerInvocation(READERS)
    public Object publishToTheNextTopic() {
        TopicId t = ids.get(next);
        next = next + 1 == ids.size() ? 0 : next + 1;
        return broker.publish(t, event);
    }
}
