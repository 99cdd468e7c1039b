package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The starter's dependency tree (all of it: what applications get, and what its tests run on) holds no second
 * copy of anything Spring Boot manages: every artifact Boot's BOM names is at Boot's version (the parent pom's
 * pins are overridden in the starter's pom), and no class is on the class path twice (as a servlet API jar next
 * to Tomcat's own copy would be). Reads the class path of this test run and Boot's BOM, with the BOMs it imports,
 * from the local Maven repository, where the build resolved them.
 */
abstract class DependencyTreeContract {
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    private static Path repository;
    private static String bootVersion;
    /** {@code groupId:artifactId} to version, for every artifact of this test run's class path from the repository. */
    private static Map<String, String> classPath;
    private static List<Path> jars;

    @BeforeAll
    static void readTheClassPath() {
        repository = Path.of(System.getProperty("starter.localRepository"));
        bootVersion = System.getProperty("starter.springBootVersion");
        classPath = new TreeMap<>();
        jars = new ArrayList<>();
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : path.split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (p.toString().endsWith(".jar")) {
                jars.add(p);
            }
            if (!p.startsWith(repository) || !p.toString().endsWith(".jar")) {
                continue;
            }
            // <repository>/<group as path>/<artifactId>/<version>/<artifactId>-<version>[-classifier].jar
            Path relative = repository.relativize(p);
            int n = relative.getNameCount();
            String version = relative.getName(n - 2).toString();
            String artifact = relative.getName(n - 3).toString();
            String group = relative.subpath(0, n - 3).toString().replace(File.separatorChar, '.');
            classPath.put(group + ":" + artifact, version);
        }
    }

    @Test
    void everyArtifactSpringBootManagesIsAtBootsVersion() throws Exception {
        Map<String, String> managed = new HashMap<>();
        new Bom(managed).importBom("org.springframework.boot", "spring-boot-dependencies", bootVersion);
        assertThat(managed).as("Spring Boot's managed versions").containsKey("org.apache.tomcat.embed:tomcat-embed-core");

        List<String> differing = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, String> e : classPath.entrySet()) {
            String boots = managed.get(e.getKey());
            if (boots != null) {
                checked++;
                if (!boots.equals(e.getValue())) {
                    differing.add(e.getKey() + " is " + e.getValue() + " here, " + boots + " in Spring Boot "
                            + bootVersion);
                }
            }
        }
        assertThat(checked).as("artifacts of the class path that Boot manages").isGreaterThan(40);
        assertThat(differing).as("set these versions in esper-spring-boot-starter/pom.xml to Boot's").isEmpty();
    }

    @Test
    void noClassIsOnTheClassPathTwice() throws IOException {
        Map<String, Path> firstJar = new HashMap<>();
        Map<String, List<String>> duplicates = new LinkedHashMap<>();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                continue;
            }
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements();) {
                    String name = entries.nextElement().getName();
                    if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) {
                        continue;
                    }
                    Path other = firstJar.putIfAbsent(name, jar);
                    if (other != null && !other.equals(jar)) {
                        duplicates.computeIfAbsent(other.getFileName() + " and " + jar.getFileName(),
                                k -> new ArrayList<>()).add(name);
                    }
                }
            }
        }
        List<String> report = new ArrayList<>();
        duplicates.forEach((pair, classes) -> report.add(pair + " both hold " + classes.size() + " classes, e.g. "
                + classes.get(0)));
        assertThat(report).as("jars holding the same classes").isEmpty();
    }

    /** Reads a BOM's dependency management as Maven does: its own entries first, then its imports in order. */
    private static final class Bom {
        private final Map<String, String> managed;

        Bom(Map<String, String> managed) {
            this.managed = managed;
        }

        void importBom(String group, String artifact, String version) throws Exception {
            Element pom = pom(group, artifact, version);
            Map<String, String> properties = properties(pom, group, version);
            List<String[]> imports = new ArrayList<>();
            // The pom's own management, then its parents' (inherited), interpolated with the pom's properties.
            for (Element p = pom; p != null; p = parent(p)) {
                Element management = child(p, "dependencyManagement");
                Element dependencies = management == null ? null : child(management, "dependencies");
                for (Node n = dependencies == null ? null : dependencies.getFirstChild(); n != null;
                        n = n.getNextSibling()) {
                    if (!(n instanceof Element d)) {
                        continue;
                    }
                    String g = resolve(text(d, "groupId"), properties);
                    String a = resolve(text(d, "artifactId"), properties);
                    String v = resolve(text(d, "version"), properties);
                    if ("import".equals(text(d, "scope"))) {
                        imports.add(new String[] {g, a, v});
                    } else {
                        managed.putIfAbsent(g + ":" + a, v);
                    }
                }
            }
            for (String[] i : imports) {
                importBom(i[0], i[1], i[2]);
            }
        }

        /** The properties of a pom and its parents (the nearest wins), and the project's coordinates. */
        private static Map<String, String> properties(Element pom, String group, String version) throws Exception {
            Map<String, String> properties = new HashMap<>();
            properties.put("project.groupId", group);
            properties.put("project.version", version);
            for (Element p = pom; p != null; p = parent(p)) {
                Element own = child(p, "properties");
                for (Node n = own == null ? null : own.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element e) {
                        properties.putIfAbsent(e.getTagName(), e.getTextContent().trim());
                    }
                }
            }
            return properties;
        }

        private static Element parent(Element pom) throws Exception {
            Element parent = child(pom, "parent");
            return parent == null ? null
                    : pom(text(parent, "groupId"), text(parent, "artifactId"), text(parent, "version"));
        }

        private static Element pom(String group, String artifact, String version) throws Exception {
            Path file = repository.resolve(group.replace('.', File.separatorChar)).resolve(artifact).resolve(version)
                    .resolve(artifact + "-" + version + ".pom");
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
        }

        private static String resolve(String text, Map<String, String> properties) {
            String out = text;
            for (int i = 0; i < 10 && out.contains("${"); i++) {
                Matcher m = PROPERTY.matcher(out);
                StringBuilder sb = new StringBuilder();
                while (m.find()) {
                    String value = properties.get(m.group(1));
                    if (value == null) {
                        throw new IllegalStateException("unresolved ${" + m.group(1) + "} in '" + text + "'");
                    }
                    m.appendReplacement(sb, Matcher.quoteReplacement(value));
                }
                m.appendTail(sb);
                out = sb.toString();
            }
            return out;
        }

        private static Element child(Element parent, String name) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals(name)) {
                    return e;
                }
            }
            return null;
        }

        private static String text(Element parent, String name) {
            Element e = child(parent, name);
            return e == null ? "" : e.getTextContent().trim();
        }
    }
}
