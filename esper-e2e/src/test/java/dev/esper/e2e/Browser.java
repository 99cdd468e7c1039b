package dev.esper.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium from Debian's {@code chromium} and {@code chromium-driver} packages, driven by
 * Selenium with the system driver (no download: Selenium Manager is never asked for anything). Each
 * instance has a fresh user data directory, removed on close.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of(System.getProperty("esper.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("esper.chromedriver", "/usr/bin/chromedriver"));

    private final Path profile;
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
