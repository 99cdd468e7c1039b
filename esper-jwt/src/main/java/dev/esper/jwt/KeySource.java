package dev.esper.jwt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Where a side's public keys are read from: a JWK Set URL, fetched with the JDK's {@link HttpClient} within a time
 * limit and a size bound, or a file (a JWK Set or PEM). Thread-safe.
 */
abstract class KeySource {
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** A scheme, then user information up to an {@code @} before the path. */
    private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");

    /**
     * Starts reading the source's text; completes with it, or exceptionally with a {@link KeySourceException}: a URL
     * on its fetch thread ({@code esper-jwks-N}), a file at once.
     */
    abstract CompletableFuture<String> load();

    /** What the source is, for messages: {@code JWK Set https://…} or {@code key file /etc/…}; never a password. */
    abstract String describe();

    /** {@code jwks} for a URL, {@code file} for a file. */
    abstract String kind();

    /** A JWK Set at {@code uri} (http or https), read within {@code timeout} and {@code maxBytes}. */
    static KeySource url(URI uri, Duration timeout, int maxBytes) {
        return new Url(uri, timeout, maxBytes);
    }

    /** A JWK Set or PEM file of at most {@code maxBytes}. */
    static KeySource file(Path file, int maxBytes) {
        return new File(file, maxBytes);
    }

    /** A URI with its user information masked: {@code https://***@host/…}. */
    static String masked(URI uri) {
        return USER_INFO.matcher(uri.toString()).replaceFirst("$1***@");
    }

    /** Why a source could not be read: one line, no key material. */
    static final class KeySourceException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        KeySourceException(String reason) {
            super(reason);
        }

        KeySourceException(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    private static final class Url extends KeySource {
        private final URI uri;
        private final Duration timeout;
        private final int maxBytes;
        private final HttpClient http;
        /** The fetch's own thread: the read completes there, and so do the tokens that waited for it. */
        private final Executor executor = executor();

        Url(URI uri, Duration timeout, int maxBytes) {
            this.uri = uri;
            this.timeout = timeout;
            this.maxBytes = maxBytes;
            this.http = HttpClient.newBuilder()
                    .connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .executor(executor)
                    .build();
        }

        /** One daemon thread, started when a fetch needs it and gone 30 s after: fetches are rare. */
        private static Executor executor() {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "esper-jwks-" + THREADS.incrementAndGet());
                        t.setDaemon(true);
                        t.setContextClassLoader(KeySource.class.getClassLoader());
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }

        @Override
        CompletableFuture<String> load() {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Accept", "application/jwk-set+json, application/json").GET().build();
            CompletableFuture<HttpResponse<String>> sent;
            try {
                sent = http.sendAsync(request, info -> new Bounded(maxBytes));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(new KeySourceException("cannot be fetched: " + e.getMessage(), e));
            }
            // The client completes its futures on the JDK's shared pool; finish on our named thread instead.
            return sent.handleAsync((response, failure) -> {
                if (failure != null) {
                    throw new KeySourceException("cannot be fetched: " + reason(failure), failure);
                }
                if (response.statusCode() != 200) {
                    throw new KeySourceException("cannot be fetched: the server answered HTTP " + response.statusCode());
                }
                return response.body();
            }, executor);
        }

        @Override
        String describe() {
            return "JWK Set " + masked(uri);
        }

        @Override
        String kind() {
            return "jwks";
        }

        private String reason(Throwable failure) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof TooLarge) {
                    return t.getMessage();
                }
                if (t instanceof HttpConnectTimeoutException) {
                    return "no connection within " + timeout.toMillis() + " ms";
                }
                if (t instanceof HttpTimeoutException) {
                    return "no answer within " + timeout.toMillis() + " ms";
                }
                if (t instanceof ConnectException) {
                    return "connection refused";
                }
                if (t instanceof UnknownHostException) {
                    return "unknown host '" + uri.getHost() + "'";
                }
                if (t instanceof SSLException) {
                    return "TLS failed" + (t.getMessage() == null ? "" : " (" + oneLine(t.getMessage()) + ")");
                }
            }
            Throwable root = failure;
            while (root instanceof CompletionException && root.getCause() != null) {
                root = root.getCause();
            }
            String m = root.getMessage();
            return root.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " (" + oneLine(m) + ")");
        }
    }

    /** A body larger than the bound. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(int maxBytes) {
            super("the answer is larger than " + maxBytes + " bytes");
        }
    }

    /** Collects a response body as UTF-8 text, failing (and cancelling the read) past {@code maxBytes}. */
    private static final class Bounded implements HttpResponse.BodySubscriber<String> {
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int maxBytes;
        /** Written in onSubscribe, read in onNext: the client calls them in order, never at once. */
        private Flow.Subscription subscription;

        Bounded(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (out.size() + b.remaining() > maxBytes) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge(maxBytes));
                    return;
                }
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                out.write(bytes, 0, bytes.length);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toString(StandardCharsets.UTF_8));
        }
    }

    private static final class File extends KeySource {
        private final Path file;
        private final int maxBytes;

        File(Path file, int maxBytes) {
            this.file = file;
            this.maxBytes = maxBytes;
        }

        @Override
        CompletableFuture<String> load() {
            try {
                if (Files.size(file) > maxBytes) {
                    throw new KeySourceException("cannot be read: it is larger than " + maxBytes + " bytes");
                }
                return CompletableFuture.completedFuture(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(new KeySourceException("cannot be read: "
                        + e.getClass().getSimpleName().replace("Exception", "").toLowerCase(Locale.ROOT)
                        + (e.getMessage() == null ? "" : " (" + oneLine(e.getMessage()) + ")"), e));
            } catch (KeySourceException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        String describe() {
            return "key file " + file;
        }

        @Override
        String kind() {
            return "file";
        }
    }

    static String oneLine(String s) {
        String line = s.replaceAll("[\\r\\n\\t]+", " ").strip();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
