package dev.esper.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Side;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.UnavailableException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link EsperServletConfig} and the declarative init parameters. */
class EsperServletConfigTest {

    @Test
    void aConfigWithoutAnAccessPolicyIsRefusedAndTheMessageSaysHowToOpenIt() {
        assertThatThrownBy(() -> EsperServletConfig.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("access policy is required").hasMessageContaining("AccessPolicy.openToAll()");
    }

    @Test
    void defaultsAreTheSpecOnes() {
        EsperServletConfig c = EsperServletConfig.builder().accessPolicy(AccessPolicy.openToAll()).build();

        assertThat(c.maxBodyBytes()).isEqualTo(65536);
        assertThat(c.corsOrigins()).containsExactly("*");
    }

    @Test
    void badValuesAreRefusedInBuildNamingTheRule() {
        assertThatThrownBy(() -> EsperServletConfig.builder().accessPolicy(AccessPolicy.openToAll()).maxBodyBytes(0)
                .build()).hasMessageContaining("max body bytes").hasMessageContaining("was 0");
        assertThatThrownBy(() -> EsperServletConfig.builder().accessPolicy(AccessPolicy.openToAll())
                .corsOrigins(List.of()).build()).hasMessageContaining("cors origins");
        assertThatThrownBy(() -> EsperServletConfig.builder().accessPolicy(AccessPolicy.openToAll())
                .corsOrigins(List.of("https://a.example, https://b.example")).build()).hasMessageContaining("cors origin");
    }

    @Test
    void initParametersProtectTheSidesWhoseSecretIsSet() {
        EsperServletConfig c = EsperServletConfig.fromInitParameters(Map.of(
                "publisherSecret", Tokens.PUBLISHER_SECRET, "maxBody", "1000", "corsOrigins", " https://a.example ,")::get);

        assertThat(c.accessPolicy().isProtected(Side.PUBLISHER)).isTrue();
        assertThat(c.accessPolicy().isProtected(Side.SUBSCRIBER)).isFalse();
        assertThat(c.maxBodyBytes()).isEqualTo(1000);
        assertThat(c.corsOrigins()).containsExactly("https://a.example");
    }

    @Test
    void noAuthOpensBothSidesWhateverIsSet() {
        EsperServletConfig c = EsperServletConfig.fromInitParameters(Map.of("noAuth", "true",
                "subscriberSecret", "short", "publisherSecret", Tokens.PUBLISHER_SECRET)::get);

        assertThat(c.accessPolicy().isProtected(Side.PUBLISHER)).isFalse();
        assertThat(c.accessPolicy().isProtected(Side.SUBSCRIBER)).isFalse();
    }

    @Test
    void aShortSecretIsRefusedWithoutPrintingIt() {
        assertThatThrownBy(() -> EsperServletConfig.fromInitParameters(Map.of("subscriberSecret", "tooShortSecret1")::get))
                .hasMessageContaining("subscriberSecret must be at least 32 bytes").hasMessageNotContaining("tooShortSecret1");
    }

    @Test
    void aBadNumberNamesItsParameter() {
        assertThatThrownBy(() -> EsperServletConfig.fromInitParameters(Map.of("maxBody", "lots")::get))
                .hasMessageContaining("maxBody").hasMessageContaining("'lots'");
        assertThatThrownBy(() -> EsperServlet.brokerFromInitParameters(Map.of("heartbeat", "-1")::get))
                .hasMessageContaining("heartbeat");
    }

    @Test
    void initParametersFallBackToEsperEnvironmentVariables() {
        assertThat(EsperServlet.envName("maxSubscribers")).isEqualTo("ESPER_MAX_SUBSCRIBERS");
        assertThat(EsperServlet.envName("subscriberSecret")).isEqualTo("ESPER_SUBSCRIBER_SECRET");
        var lookup = EsperServlet.lookup(Map.of("maxBody", "5")::get, Map.of("ESPER_MAX_BODY", "7",
                "ESPER_HEARTBEAT", "3")::get);
        assertThat(lookup.apply("maxBody")).isEqualTo("5");
        assertThat(lookup.apply("heartbeat")).isEqualTo("3");
    }

    @Test
    void aDeclarativeServletWithABadParameterIsUnavailableWithAClearMessage() {
        EsperServlet servlet = new EsperServlet();

        assertThatThrownBy(() -> servlet.init(config(Map.of("historySize", "many"))))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("historySize");
        assertThat(servlet.broker()).isNull();
    }

    private static ServletConfig config(Map<String, String> params) {
        return new ServletConfig() {
            @Override
            public String getServletName() {
                return "esper";
            }

            @Override
            public ServletContext getServletContext() {
                return null;
            }

            @Override
            public String getInitParameter(String name) {
                return params.get(name);
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(params.keySet());
            }
        };
    }
}
