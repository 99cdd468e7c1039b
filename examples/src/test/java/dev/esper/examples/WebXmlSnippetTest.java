package dev.esper.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.config.Setting;
import jakarta.servlet.Servlet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The {@code web.xml} that docs/servlet.md shows ({@code examples/src/main/webapp-snippet/web.xml}) is a
 * well-formed {@code <web-app>} whose servlet class exists and whose init parameters are all settings the
 * servlet reads.
 */
class WebXmlSnippetTest {
    private static final String NS = "https://jakarta.ee/xml/ns/jakartaee";
    private static final Path WEB_XML =
            DocsSnippetsTest.repositoryRoot().resolve("examples/src/main/webapp-snippet/web.xml");

    @Test
    void isAWebAppThatMapsAnAsyncEsperServletThatLoads() throws Exception {
        Document xml = parse();
        Element webApp = xml.getDocumentElement();
        assertThat(webApp.getLocalName()).isEqualTo("web-app");
        assertThat(webApp.getNamespaceURI()).isEqualTo(NS);

        Element servlet = (Element) webApp.getElementsByTagNameNS(NS, "servlet").item(0);
        String servletClass = text(servlet, "servlet-class");
        assertThat(Servlet.class.isAssignableFrom(Class.forName(servletClass)))
                .as("%s is a jakarta.servlet.Servlet", servletClass).isTrue();
        assertThat(text(servlet, "async-supported")).isEqualTo("true");
        assertThat(text((Element) webApp.getElementsByTagNameNS(NS, "servlet-mapping").item(0), "servlet-name"))
                .isEqualTo(text(servlet, "servlet-name"));
    }

    @Test
    void everyInitParameterItNamesIsAServletSettingEvenTheCommentedOutOnes() throws Exception {
        List<String> servletSettings = Arrays.stream(Setting.values()).filter(Setting::inServlet)
                .map(Setting::initParameter).toList();
        NodeList params = parse().getElementsByTagNameNS(NS, "init-param");
        List<String> set = new ArrayList<>();
        for (int i = 0; i < params.getLength(); i++) {
            set.add(text((Element) params.item(i), "param-name"));
        }
        List<String> named = new ArrayList<>();
        Matcher m = Pattern.compile("<param-name>\\s*([^<\\s]+)\\s*</param-name>")
                .matcher(Files.readString(WEB_XML, StandardCharsets.UTF_8));
        while (m.find()) {
            named.add(m.group(1));
        }

        assertThat(set).isNotEmpty().doesNotHaveDuplicates();
        assertThat(named).as("init parameters in web.xml, commented out or not").containsAll(set)
                .allSatisfy(name -> assertThat(servletSettings).as("servlet settings").contains(name));
    }

    private static Document parse() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(WEB_XML.toFile());
    }

    private static String text(Element parent, String name) {
        return parent.getElementsByTagNameNS(NS, name).item(0).getTextContent().trim();
    }
}
