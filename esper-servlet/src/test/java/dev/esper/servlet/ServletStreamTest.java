package dev.esper.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.broker.Broker;
import dev.esper.broker.Chunk;
import dev.esper.http.Exchange;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ServletStream} against a scripted container: the ending never overlaps nor precedes a use of the output.
 * Tomcat recycles the response for the next connection as soon as the request completes, so a write still
 * running when another thread called {@code complete()} landed in someone else's response.
 */
class ServletStreamTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");

    private final Broker broker = Broker.builder().heartbeat(Duration.ofSeconds(60)).build();
    private final Output out = new Output();
    private final AtomicInteger completes = new AtomicInteger();
    /** complete() was called while an output call was running. */
    private final AtomicBoolean completedDuringOutput = new AtomicBoolean();
    private final AsyncContext ctx = (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {AsyncContext.class}, (proxy, method, args) -> {
                if (method.getName().equals("complete")) {
                    if (out.inFlight.get() > 0) {
                        completedDuringOutput.set(true);
                    }
                    completes.incrementAndGet();
                    out.completed = true;
                }
                return null;
            });

    @AfterEach
    void close() {
        out.release.countDown();
        broker.close(Duration.ZERO);
    }

    /**
     * What the API does with a sink: one write in flight, the next requested when it completes; the client
     * leaving cancels the subscription and aborts the sink.
     */
    private static final class Feed implements Flow.Subscriber<Chunk>, Exchange.WriteCallback {
        volatile ServletStream sink;
        volatile Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(Chunk chunk) {
            sink.write(chunk, this);
        }

        @Override
        public void onError(Throwable t) {
            sink.abort("dropped");
        }

        @Override
        public void onComplete() {
            sink.close();
        }

        @Override
        public void written() {
            subscription.request(1);
        }

        @Override
        public void failed(Throwable failure) {
            clientLeft();
        }

        void clientLeft() {
            subscription.cancel();
            sink.abort("client left");
        }
    }

    private Feed open() {
        Feed feed = new Feed();
        feed.sink = new ServletStream(ctx, out, feed::clientLeft);
        broker.subscribe(TOPIC, null, feed);
        return feed;
    }

    @Test
    void theClientLeavingWhileAWriteIsRunningCompletesOnlyAfterTheWrite() throws Exception {
        Feed feed = open();
        assertThat(out.text()).isEqualTo(":ok\n\n");

        broker.publish(TOPIC, Event.of("slow"));
        assertThat(out.blocked.await(5, TimeUnit.SECONDS)).as("the write of the event started").isTrue();
        Thread watch = new Thread(feed::clientLeft, "test-connection-watch");
        watch.start();
        watch.join(300);

        assertThat(completes).as("completed while the write was running").hasValue(0);
        out.release.countDown();
        watch.join(5_000);
        assertThat(completes).hasValue(1);
        assertThat(completedDuringOutput).isFalse();
        assertThat(out.usedAfterComplete).isFalse();
        await().atMost(Duration.ofSeconds(3)).until(() -> broker.stats().clients() == 0);
    }

    @Test
    void nothingIsWrittenAfterTheClientLeft() throws Exception {
        Feed feed = open();
        out.release.countDown();

        feed.clientLeft();
        broker.publish(TOPIC, Event.of("late"));
        feed.sink.onWritePossible();

        assertThat(completes).hasValue(1);
        assertThat(out.text()).isEqualTo(":ok\n\n");
        assertThat(out.usedAfterComplete).isFalse();
        await().atMost(Duration.ofSeconds(3)).until(() -> broker.stats().clients() == 0);
    }

    @Test
    void aWriteThatFindsTheOutputNotReadyCompletesWhenTheContainerSaysItIsPossible() {
        out.ready = false;
        Feed feed = open();
        assertThat(out.text()).isEmpty();
        out.ready = true;
        feed.sink.onWritePossible();
        assertThat(out.text()).isEqualTo(":ok\n\n");
        out.release.countDown();
        broker.publish(TOPIC, Event.of("next"));
        await().atMost(Duration.ofSeconds(3)).until(() -> out.text().contains("data: next"));
    }

    /** Always ready; a write holding {@code slow} waits for {@link #release}. Records uses after complete(). */
    private static final class Output extends ServletOutputStream {
        final AtomicInteger inFlight = new AtomicInteger();
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final StringBuffer written = new StringBuffer();
        volatile boolean completed;
        volatile boolean usedAfterComplete;
        volatile boolean ready = true;

        String text() {
            return written.toString();
        }

        private void enter() {
            inFlight.incrementAndGet();
            if (completed) {
                usedAfterComplete = true;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            enter();
            try {
                String s = new String(b, off, len, StandardCharsets.UTF_8);
                if (s.contains("slow")) {
                    blocked.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }
                written.append(s);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void flush() {
            enter();
            inFlight.decrementAndGet();
        }

        @Override
        public boolean isReady() {
            enter();
            inFlight.decrementAndGet();
            return ready;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            // Driven by the test.
        }
    }
}
