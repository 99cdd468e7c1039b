package dev.esper.servlet;

import dev.esper.auth.AccessPolicy;
import java.util.List;

/** STUB (to be completed by the servlet work): the servlet's settings. Signatures are the contract. */
public final class EsperServletConfig {
    private final AccessPolicy accessPolicy;
    private final int maxBodyBytes;
    private final List<String> corsOrigins;

    private EsperServletConfig(Builder b) {
        this.accessPolicy = b.accessPolicy;
        this.maxBodyBytes = b.maxBodyBytes;
        this.corsOrigins = List.copyOf(b.corsOrigins);
    }

    public static Builder builder() {
        return new Builder();
    }

    public AccessPolicy accessPolicy() {
        return accessPolicy;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    public List<String> corsOrigins() {
        return corsOrigins;
    }

    public static final class Builder {
        private AccessPolicy accessPolicy;
        private int maxBodyBytes = 65536;
        private List<String> corsOrigins = List.of("*");

        private Builder() {
        }

        public Builder accessPolicy(AccessPolicy policy) {
            this.accessPolicy = policy;
            return this;
        }

        public Builder maxBodyBytes(int bytes) {
            this.maxBodyBytes = bytes;
            return this;
        }

        public Builder corsOrigins(List<String> origins) {
            this.corsOrigins = origins;
            return this;
        }

        public EsperServletConfig build() {
            return new EsperServletConfig(this);
        }
    }
}
