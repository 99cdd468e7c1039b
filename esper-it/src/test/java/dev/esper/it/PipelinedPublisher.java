package dev.esper.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.function.ObjIntConsumer;

/**
 * Sends many publishes over one keep-alive connection as an HTTP/1.1 pipeline (a writer thread ahead of
 * the reader by at most a window of requests), and counts the answers by status. This is what makes a
 * million publishes affordable on two cores: no connection set-up and no client-side HTTP stack per
 * request. Test code only.
 */
final class PipelinedPublisher {
    private static final int WINDOW = 256;

    private PipelinedPublisher() {
    }

    /**
     * Sends requests {@code from} (inclusive) to {@code to} (exclusive), built by {@code request}, over one
     * connection, and hands each response to {@code onResponse} with its index.
     *
     * @return status → count
     */
    static Map<Integer, Long> run(int port, int from, int to, IntFunction<byte[]> request,
            ObjIntConsumer<RawHttp.Response> onResponse, long timeoutSeconds) {
        Map<Integer, Long> statuses = new TreeMap<>();
        Semaphore window = new Semaphore(WINDOW);
        ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pipeline-writer");
            t.setDaemon(true);
            return t;
        });
        try (RawHttp c = RawHttp.connect(port, java.time.Duration.ofSeconds(timeoutSeconds))) {
            Future<?> writes = writer.submit(() -> {
                for (int i = from; i < to; i++) {
                    if (!window.tryAcquire(timeoutSeconds, TimeUnit.SECONDS)) {
                        throw new TimeoutException("no response for " + timeoutSeconds + " s");
                    }
                    c.write(request.apply(i));
                }
                return null;
            });
            for (int i = from; i < to; i++) {
                RawHttp.Response r = c.readResponse();
                window.release();
                statuses.merge(r.status(), 1L, Long::sum);
                if (onResponse != null) {
                    onResponse.accept(r, i);
                }
                if (r.closes() && i + 1 < to) {
                    throw new AssertionError("the server closed the pipeline after request " + i + " (status "
                            + r.status() + ": " + r.bodyText().trim() + ")");
                }
            }
            writes.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("pipeline failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("pipeline writer failed", e);
        } finally {
            writer.shutdownNow();
        }
        return statuses;
    }
}
