package dev.esper.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Every code block in {@code README.md} and {@code docs/*.md} is a region of a file the build compiles or
 * runs, so the docs cannot show code that does not work.
 *
 * <p>A fenced block in {@code java}, {@code xml}, {@code js}, {@code javascript} or {@code html} must be
 * preceded (previous non-blank line) by {@code <!-- snippet: path/from/repo/root#region -->}, and its text
 * must equal that region of that file: the lines between the one holding {@code snippet:region} and the one
 * holding {@code end-snippet:region} (marker lines of other regions inside it left out), both sides with
 * their common indentation removed. The file must be one the build checks: Java in {@code examples}
 * (compiled; tests run), the demo page (run in Chromium by esper-e2e's {@code DemoPageTest}), esper-e2e's
 * credentials page (run in Chromium by {@code BrowserCredentialsTest}), the {@code web.xml} snippet
 * ({@link WebXmlSnippetTest}), the {@code server.xml} snippet ({@link ServerXmlSnippetTest}), the examples
 * pom (resolved by Maven; its esper versions checked below), or the same kinds of file in
 * {@code examples-spring-boot} (the Spring Boot example application, compiled and tested). Blocks of commands, output and settings are marked {@code sh}, {@code text}, {@code json},
 * {@code properties} or {@code yaml} and not checked; a fence without a language, or with another one, fails.
 */
class DocsSnippetsTest {
    private static final Set<String> CHECKED = Set.of("java", "xml", "js", "javascript", "html");
    private static final Set<String> EXEMPT = Set.of("sh", "text", "json", "properties", "yaml");
    /** The page esper-e2e's BrowserCredentialsTest runs in Chromium. */
    private static final String CREDENTIALS_PAGE = "esper-e2e/src/test/resources/e2e/credentials.html";
    private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})\\s*([^\\s`]*).*$");
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*snippet:\\s*(\\S+)#([\\w.-]+)\\s*-->\\s*$");
    private static final Pattern ANY_MARKER = Pattern.compile("^\\s*<!--\\s*snippet:");
    /** A line that is only a region marker, in a Java/JS comment or an XML/HTML comment. */
    private static final Pattern REGION_MARKER_LINE =
            Pattern.compile("^\\s*(//|<!--)\\s*(end-)?snippet:[\\w.-]+\\s*(-->)?\\s*$");

    @Test
    void everyCodeBlockInTheDocsIsARegionOfAFileTheBuildChecks() throws IOException {
        Path root = repositoryRoot();
        List<String> problems = new ArrayList<>();
        List<Path> docs = new ArrayList<>();
        docs.add(root.resolve("README.md"));
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        for (Path doc : docs) {
            problems.addAll(problems(root, doc));
        }

        assertThat(problems)
                .withFailMessage(() -> problems.size() + " code block(s) in the docs are not what the build checks"
                        + " (see DocsSnippetsTest's Javadoc):\n  " + String.join("\n  ", problems))
                .isEmpty();
    }

    @Test
    void theDependencyBlocksInTheDocsNameThisVersionOfEsper() throws Exception {
        Element examples = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(repositoryRoot().resolve("examples/pom.xml").toFile()).getDocumentElement();
        String version = text(child(examples, "parent").orElseThrow(), "version");
        // examples-spring-boot has Spring Boot's parent, as a Spring Boot application has.
        Element springBoot = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(repositoryRoot().resolve("examples-spring-boot/pom.xml").toFile()).getDocumentElement();

        for (Element project : List.of(examples, springBoot)) {
            List<String> versioned = new ArrayList<>();
            Element dependencies = child(project, "dependencies").orElseThrow();
            NodeList all = dependencies.getElementsByTagName("dependency");
            for (int i = 0; i < all.getLength(); i++) {
                Element dependency = (Element) all.item(i);
                if ("dev.esper".equals(text(dependency, "groupId")) && child(dependency, "version").isPresent()) {
                    versioned.add(text(dependency, "artifactId") + ":" + text(dependency, "version"));
                }
            }

            assertThat(versioned).as("esper dependencies with a version in " + text(project, "artifactId")
                    + "'s pom.xml (the docs show them)")
                    .isNotEmpty()
                    .allSatisfy(d -> assertThat(d).endsWith(":" + version));
        }
    }

    @Test
    void aBlockThatDiffersFromItsRegionByOneCharacterIsReportedWithItsLine(@TempDir Path root) throws IOException {
        write(root, "examples/src/main/java/Hello.java", "class Hello {", "    // snippet:greet",
                "    String greet() { return \"hello\"; }", "    // end-snippet:greet", "}");
        Path doc = write(root, "docs/hello.md", "# Hello", "",
                "<!-- snippet: examples/src/main/java/Hello.java#greet -->",
                "```java", "String greet() { return \"hallo\"; }", "```");

        assertThat(problems(root, doc)).singleElement().asString()
                .startsWith("docs/hello.md:4: ")
                .contains("differs from examples/src/main/java/Hello.java#greet")
                .contains("hallo").contains("hello");
    }

    @Test
    void aBlockEqualToItsRegionUpToIndentationPasses(@TempDir Path root) throws IOException {
        write(root, "examples/src/main/java/Hello.java", "class Hello {", "    // snippet:greet",
                "    String greet() {", "        return \"hello\";", "    }", "    // end-snippet:greet", "}");
        Path doc = write(root, "docs/hello.md", "- a list item:", "",
                "  <!-- snippet: examples/src/main/java/Hello.java#greet -->",
                "  ```java", "  String greet() {", "      return \"hello\";", "  }", "  ```");

        assertThat(problems(root, doc)).isEmpty();
    }

    @Test
    void unmarkedUnlabelledMisplacedAndDanglingBlocksAndMarkersAreAllReported(@TempDir Path root) throws IOException {
        write(root, "examples/src/main/java/Hello.java", "// snippet:greet", "class Hello {}", "// end-snippet:greet");
        write(root, "src/Elsewhere.java", "// snippet:greet", "class Elsewhere {}", "// end-snippet:greet");
        Path doc = write(root, "docs/bad.md",
                "```java", "class Hello {}", "```", "",
                "```", "java -jar esper.jar", "```", "",
                "<!-- snippet: examples/src/main/java/Missing.java#greet -->", "```java", "class Hello {}", "```", "",
                "<!-- snippet: examples/src/main/java/Hello.java#wave -->", "```java", "class Hello {}", "```", "",
                "<!-- snippet: src/Elsewhere.java#greet -->", "```java", "class Elsewhere {}", "```", "",
                "<!-- snippet: examples/src/main/java/Hello.java#greet -->", "some text", "",
                "```sh", "curl -N http://localhost:3000/subscribe/abcdef123", "```", "",
                "<!-- snippet: examples/src/main/java/Hello.java -->", "```java", "class Hello {}", "```");

        assertThat(problems(root, doc)).satisfiesExactly(
                p -> assertThat(p).startsWith("docs/bad.md:1: ").contains("no marker"),
                p -> assertThat(p).startsWith("docs/bad.md:5: ").contains("no language"),
                p -> assertThat(p).startsWith("docs/bad.md:10: ").contains("Missing.java").contains("no such file"),
                p -> assertThat(p).startsWith("docs/bad.md:15: ").contains("no region 'wave'"),
                p -> assertThat(p).startsWith("docs/bad.md:20: ").contains("not a file the build checks"),
                p -> assertThat(p).startsWith("docs/bad.md:24: ").contains("not followed by a code block"),
                p -> assertThat(p).startsWith("docs/bad.md:31: ").contains("malformed marker"),
                p -> assertThat(p).startsWith("docs/bad.md:32: ").contains("no marker"));
    }

    /** What is wrong with the code blocks of one Markdown file, each as {@code file:line: problem}. */
    static List<String> problems(Path root, Path doc) throws IOException {
        String name = root.relativize(doc).toString().replace('\\', '/');
        List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
        List<String> problems = new ArrayList<>();
        String pendingMarker = null;
        int pendingMarkerLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher fence = FENCE.matcher(line);
            if (!fence.matches()) {
                if (line.isBlank()) {
                    continue;
                }
                if (pendingMarker != null) {
                    problems.add(name + ":" + pendingMarkerLine + ": marker '" + pendingMarker
                            + "' is not followed by a code block");
                    pendingMarker = null;
                }
                if (ANY_MARKER.matcher(line).find()) {
                    Matcher marker = MARKER.matcher(line);
                    if (marker.matches()) {
                        pendingMarker = marker.group(1) + "#" + marker.group(2);
                        pendingMarkerLine = i + 1;
                    } else {
                        problems.add(name + ":" + (i + 1) + ": malformed marker, expected"
                                + " '<!-- snippet: path/from/repo/root#region -->'");
                    }
                }
                continue;
            }
            int open = i;
            String delimiter = fence.group(1);
            String language = fence.group(2).toLowerCase(Locale.ROOT);
            Pattern close = Pattern.compile("^\\s*" + Pattern.quote(delimiter.substring(0, 1)) + "{"
                    + delimiter.length() + ",}\\s*$");
            List<String> block = new ArrayList<>();
            i++;
            while (i < lines.size() && !close.matcher(lines.get(i)).matches()) {
                block.add(lines.get(i));
                i++;
            }
            String where = name + ":" + (open + 1) + ": ";
            String marker = pendingMarker;
            pendingMarker = null;
            if (i == lines.size()) {
                problems.add(where + "code block is never closed");
                break;
            }
            if (language.isEmpty()) {
                problems.add(where + "code block has no language; mark it java, xml, js, html (checked)"
                        + " or sh, text, json, properties, yaml (commands, output and settings)");
            } else if (!CHECKED.contains(language) && !EXEMPT.contains(language)) {
                problems.add(where + "code block in '" + language + "'; use java, xml, js, html (checked)"
                        + " or sh, text, json, properties, yaml (commands, output and settings)");
            } else if (marker == null) {
                if (CHECKED.contains(language)) {
                    problems.add(where + language + " block has no marker"
                            + " '<!-- snippet: path/from/repo/root#region -->' on the line before it");
                }
            } else {
                compare(root, marker, language, block).ifPresent(p -> problems.add(where + p));
            }
        }
        if (pendingMarker != null) {
            problems.add(name + ":" + pendingMarkerLine + ": marker '" + pendingMarker
                    + "' is not followed by a code block");
        }
        return problems;
    }

    /** What is wrong with a block shown as {@code reference} ({@code path#region}), if anything. */
    private static Optional<String> compare(Path root, String reference, String language, List<String> block)
            throws IOException {
        String path = reference.substring(0, reference.indexOf('#'));
        String region = reference.substring(reference.indexOf('#') + 1);
        if (!checkedByTheBuild(path)) {
            return Optional.of("'" + path + "' is not a file the build checks (Java under examples/src/main/java"
                    + " or examples/src/test/java, or the same in examples-spring-boot,"
                    + " examples/src/main/resources/demo/index.html, " + CREDENTIALS_PAGE + ","
                    + " examples/src/main/webapp-snippet/web.xml, examples/src/main/tomcat-snippet/server.xml,"
                    + " examples/pom.xml, examples-spring-boot/pom.xml)");
        }
        if (!matchesLanguage(path, language)) {
            return Optional.of(language + " block shows '" + path + "', a file in another language");
        }
        Path file = root.resolve(path);
        if (!Files.isRegularFile(file)) {
            return Optional.of("marker points to '" + path + "': no such file");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Pattern start = Pattern.compile("(?<![\\w-])snippet:" + Pattern.quote(region) + "(?![\\w.-])");
        Pattern end = Pattern.compile("(?<![\\w-])end-snippet:" + Pattern.quote(region) + "(?![\\w.-])");
        List<Integer> starts = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (start.matcher(lines.get(i)).find()) {
                starts.add(i);
            }
            if (end.matcher(lines.get(i)).find()) {
                ends.add(i);
            }
        }
        if (starts.isEmpty() || ends.isEmpty()) {
            return Optional.of("marker points to " + reference + ": no region '" + region + "' in '" + path
                    + "' (a line with snippet:" + region + " and a later one with end-snippet:" + region + ")");
        }
        if (starts.size() > 1 || ends.size() > 1 || ends.get(0) < starts.get(0)) {
            return Optional.of("region '" + region + "' of '" + path + "' must start once and end once after it");
        }
        List<String> expected = dedent(lines.subList(starts.get(0) + 1, ends.get(0)).stream()
                .filter(l -> !REGION_MARKER_LINE.matcher(l).matches()).toList());
        List<String> shown = dedent(block);
        for (int i = 0; i < Math.max(expected.size(), shown.size()); i++) {
            String want = i < expected.size() ? expected.get(i) : null;
            String got = i < shown.size() ? shown.get(i) : null;
            if (want == null || !want.equals(got)) {
                return Optional.of("block differs from " + reference + " (edit the file, then copy the region)"
                        + " at its line " + (i + 1) + ": the doc has "
                        + (got == null ? "nothing" : "\"" + got + "\"") + ", the file has "
                        + (want == null ? "nothing" : "\"" + want + "\""));
            }
        }
        return Optional.empty();
    }

    private static boolean checkedByTheBuild(String path) {
        boolean java = (path.startsWith("examples/src/main/java/") || path.startsWith("examples/src/test/java/")
                || path.startsWith("examples-spring-boot/src/main/java/")
                || path.startsWith("examples-spring-boot/src/test/java/")) && path.endsWith(".java");
        return !path.contains("..") && !path.contains("\\")
                && (java || path.equals("examples/src/main/resources/demo/index.html") || path.equals(CREDENTIALS_PAGE)
                        || path.equals("examples/src/main/webapp-snippet/web.xml")
                        || path.equals("examples/src/main/tomcat-snippet/server.xml")
                        || path.equals("examples/pom.xml") || path.equals("examples-spring-boot/pom.xml"));
    }

    private static boolean matchesLanguage(String path, String language) {
        return switch (language) {
            case "java" -> path.endsWith(".java");
            case "xml" -> path.endsWith(".xml");
            case "js", "javascript", "html" -> path.endsWith(".html");
            default -> true;
        };
    }

    /** The lines without their common leading indentation and trailing blanks; blank lines become empty. */
    static List<String> dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        while (!out.isEmpty() && out.get(0).isEmpty()) {
            out.remove(0);
        }
        return out;
    }

    /** The repository root: the parent of this module's directory (Surefire's {@code basedir}). */
    static Path repositoryRoot() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path root = module.getParent();
        if (root == null || !Files.isRegularFile(root.resolve("README.md")) || !Files.isDirectory(root.resolve("docs"))) {
            throw new IllegalStateException("cannot find the repository root (README.md and docs/) above " + module);
        }
        return root;
    }

    private static Path write(Path root, String path, String... lines) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        return Files.write(file, List.of(lines), StandardCharsets.UTF_8);
    }

    private static Optional<Element> child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getTagName())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private static String text(Element parent, String name) {
        return child(parent, name).map(e -> e.getTextContent().trim()).orElse("");
    }
}
