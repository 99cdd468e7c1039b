package dev.esper.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.json.Json;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * A real headless Chromium from Debian's {@code chromium} and {@code chromium-driver} packages, driven by
 * Selenium with the system driver (no download: Selenium Manager is never asked for anything). Each
 * instance has a fresh user data directory, removed on close.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of(System.getProperty("esper.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("esper.chromedriver", "/usr/bin/chromedriver"));

    private static final Json JSON = new Json();

    private final Path profile;
    /** The network log read so far (DevTools messages); read by the test thread only. */
    private final List<Map<String, Object>> network = new ArrayList<>();
    final ChromeDriver driver;

    private Browser(Path profile, ChromeDriver driver) {
        this.profile = profile;
        this.driver = driver;
    }

    static Browser start() {
        return start(new String[0]);
    }

    /** A browser started with these extra command-line switches, e.g. {@code --ignore-certificate-errors}. */
    static Browser start(String... extraArguments) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("headless Chromium is needed for the browser tests: install Debian's "
                    + "'chromium' and 'chromium-driver' packages (.ci/run does), or point -Desper.chromium and "
                    + "-Desper.chromedriver at them");
        }
        try {
            Path profile = Files.createTempDirectory("esper-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                    "--disable-dev-shm-usage", "--window-size=1100,800", "--user-data-dir=" + profile);
            // The network log: the status of an answer the page may not read (a CORS failure) is still in it.
            options.setCapability("goog:loggingPrefs", Map.of("performance", "ALL"));
            options.addArguments(extraArguments);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                    .usingAnyFreePort()
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
            return new Browser(profile, driver);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sets a cookie for a URL's host through the DevTools protocol ({@code Network.setCookie}), as a response from
     * that host would: the page itself, on another origin, never sees it.
     */
    void setCookie(String url, String name, String value) {
        driver.executeCdpCommand("Network.setCookie", Map.of("url", url, "name", name, "value", value,
                "httpOnly", true, "sameSite", "Strict"));
    }

    /**
     * The HTTP statuses of the answers to {@code method} requests for URLs ending with {@code urlSuffix}, from the
     * network log so far ({@code Network.responseReceivedExtraInfo} has the status the server sent even when CORS
     * keeps the answer from the page).
     */
    List<Integer> statuses(String method, String urlSuffix) {
        for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
            Map<String, Object> outer = JSON.toType(entry.getMessage(), Json.MAP_TYPE);
            network.add(map(outer.get("message")));
        }
        Set<Object> requests = new HashSet<>();
        for (Map<String, Object> message : network) {
            Map<String, Object> params = map(message.get("params"));
            Map<String, Object> request = map(params.get("request"));
            if ("Network.requestWillBeSent".equals(message.get("method")) && method.equals(request.get("method"))
                    && String.valueOf(request.get("url")).endsWith(urlSuffix)) {
                requests.add(params.get("requestId"));
            }
        }
        List<Integer> statuses = new ArrayList<>();
        for (Map<String, Object> message : network) {
            Map<String, Object> params = map(message.get("params"));
            if ("Network.responseReceivedExtraInfo".equals(message.get("method"))
                    && requests.contains(params.get("requestId"))) {
                statuses.add(((Number) params.get("statusCode")).intValue());
            }
        }
        return statuses;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object json) {
        return json instanceof Map ? (Map<String, Object>) json : Map.of();
    }

    void open(String url) {
        driver.get(url);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    long jsLong(String script) {
        Object v = js(script);
        return v == null ? 0 : ((Number) v).longValue();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // A leftover temp directory is harmless.
            }
        }
    }
}
