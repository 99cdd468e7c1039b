package dev.esper.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.examples.demo.DemoApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;

/**
 * The demo as a person uses it: open the page, which follows two topics on one stream, publish to each through
 * its form, see the events in the one live feed with their topics.
 * Saves a screenshot to {@code target/demo.png}; with {@code -Desper.demo.screenshot=PATH} also there (the
 * README's picture is made this way).
 */
class DemoPageTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void thePageFollowsTwoTopicsOnOneStreamAndShowsWhatItsFormPublishesToEachInTheLiveFeed() throws Exception {
        try (DemoApp demo = DemoApp.start(0); Browser browser = Browser.start()) {
            browser.open(demo.url());
            await().atMost(WAIT).until(() -> browser.driver.findElement(By.id("status-text")).getText()
                    .equals("live on demolivefeed + demoscores"));

            publish(browser, "demolivefeed", "", "Hello, subscribers!");
            publish(browser, "demoscores", "score", "{\"home\": 2, \"away\": 1}");
            publish(browser, "demolivefeed", "", "Line one\nLine two \u2014 gr\u00fc\u00dfe");

            await().atMost(WAIT).until(() -> feed(browser).size() == 3);
            List<WebElement> items = feed(browser);
            assertThat(items.get(0).findElement(By.className("data")).getText())
                    .isEqualTo("Line one\nLine two \u2014 gr\u00fc\u00dfe");
            assertThat(items.get(1).findElement(By.className("name")).getText()).isEqualTo("score");
            assertThat(items.get(2).findElement(By.className("data")).getText()).isEqualTo("Hello, subscribers!");
            assertThat(items).extracting(i -> i.findElement(By.className("topic")).getText())
                    .containsExactly("demolivefeed", "demoscores", "demolivefeed");
            assertThat((String) browser.js("return window.esperSource.url;")).as("one stream for both topics")
                    .contains("/esper/subscribe?topic=demolivefeed&topic=demoscores&token=");
            assertThat(browser.driver.findElement(By.id("result")).getText()).startsWith("200 {\"published\":1");

            browser.js("window.scrollTo(0, 0);");
            Path shot = browser.driver.getScreenshotAs(OutputType.FILE).toPath();
            Files.createDirectories(Path.of("target"));
            Files.copy(shot, Path.of("target", "demo.png"), StandardCopyOption.REPLACE_EXISTING);
            String keep = System.getProperty("esper.demo.screenshot");
            if (keep != null) {
                Files.copy(shot, Path.of(keep), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void publish(Browser browser, String topic, String name, String message) {
        int before = feed(browser).size();
        new org.openqa.selenium.support.ui.Select(browser.driver.findElement(By.id("publish-topic")))
                .selectByValue(topic);
        WebElement eventName = browser.driver.findElement(By.id("event-name"));
        eventName.clear();
        eventName.sendKeys(name);
        browser.js("document.getElementById('message').value = arguments[0];", message);
        browser.driver.findElement(By.cssSelector("#publish button")).click();
        await().atMost(WAIT).until(() -> feed(browser).size() > before);
    }

    private static List<WebElement> feed(Browser browser) {
        return browser.driver.findElements(By.cssSelector("#feed li:not(.empty):not(.gap)"));
    }
}
