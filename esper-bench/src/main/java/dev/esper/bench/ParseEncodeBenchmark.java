package dev.esper.bench;

import dev.esper.event.Event;
import dev.esper.event.SseEncoder;
import dev.esper.event.SseParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Parse a publish body and encode its event, as the publish path does. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParseEncodeBenchmark {
    private final byte[] body100 = ("event: testing\ndata: " + "x".repeat(100) + "\n").getBytes(StandardCharsets.UTF_8);
    private final byte[] batch10 = ("data: " + "y".repeat(100) + "\n\n").repeat(10).getBytes(StandardCharsets.UTF_8);
    private final Event event = Event.of("x".repeat(100)).withName("testing");

    /** One 100-byte event: parse. */
    @Benchmark
    public List<Event> parse100B() {
        return SseParser.parse(body100);
    }

    /** One 100-byte event: encode its frame with an id. */
    @Benchmark
    public byte[] encode100B() {
        return SseEncoder.encode(event, "1796000000000001");
    }

    /** One 100-byte event: parse then encode (the whole per-event publish work). */
    @Benchmark
    public byte[] parseAndEncode100B() {
        return SseEncoder.encode(SseParser.parse(body100).get(0), "1796000000000001");
    }

    /** A batch of ten 100-byte events: parse. */
    @Benchmark
    public List<Event> parseBatch10() {
        return SseParser.parse(batch10);
    }
}
