package dev.esper.bench;

import dev.esper.broker.Broker;
import dev.esper.broker.Chunk;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * In-process fan-out: one publish of a 100-byte event to N subscribers, delivery run inline on the
 * publishing thread so one operation is the whole fan-out. The score is in deliveries per second
 * (each invocation counts as N operations); with {@code -prof gc}, {@code gc.alloc.rate.norm} is the
 * bytes allocated per delivery.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FanoutBenchmark {
    /** Subscribers of the topic. */
    static final int SUBSCRIBERS = 10_000;

    private Broker broker;
    private final TopicId topic = TopicId.of("benchtopic");
    private final List<Event> event = List.of(Event.of("x".repeat(100)));

    /** A subscriber whose socket is always ready: takes every chunk and asks for the next. */
    static final class ReadySubscriber implements Flow.Subscriber<Chunk> {
        private final Blackhole bh;
        private Flow.Subscription s;

        ReadySubscriber(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            s = subscription;
            s.request(1);
        }

        @Override
        public void onNext(Chunk item) {
            bh.consume(item);
            s.request(1);
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }
    }

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        broker = Broker.builder().deliveryExecutor(Runnable::run).historySize(0).heartbeat(Duration.ZERO).build();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            broker.subscribe(topic, null, new ReadySubscriber(bh));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        broker.close(Duration.ZERO);
    }

    /** Publish one event and deliver it to every subscriber. */
    @Benchmark
    @OperationsPerInvocation(SUBSCRIBERS)
    public Object publishToAll() {
        return broker.publish(topic, event);
    }
}
