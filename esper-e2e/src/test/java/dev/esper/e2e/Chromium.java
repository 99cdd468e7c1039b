package dev.esper.e2e;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A headless Chromium and the test pages' server for one test class: started before its first test, stopped after
 * its last. Register it as a static field with {@code @RegisterExtension}.
 */
final class Chromium implements BeforeAllCallback, AfterAllCallback {
    private final String[] arguments;
    private Browser browser;
    private PageServer pages;

    /** @param arguments extra command-line switches for the browser, e.g. {@code --ignore-certificate-errors} */
    Chromium(String... arguments) {
        this.arguments = arguments.clone();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        browser = Browser.start(arguments);
        pages = PageServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (browser != null) {
            browser.close();
        }
        if (pages != null) {
            pages.close();
        }
    }

    /** The browser; between tests, open {@code about:blank} so that no page holds a stream. */
    Browser browser() {
        return browser;
    }

    /** The server of the test pages (another origin than esper's). */
    PageServer pages() {
        return pages;
    }
}
