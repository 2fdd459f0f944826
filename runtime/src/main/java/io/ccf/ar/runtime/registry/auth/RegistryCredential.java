package io.ccf.ar.runtime.registry.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A credential for one registry host. {@link #toString()} never shows the secret, so a credential that ends up
 * in a log line or an exception message by mistake does not leak.
 */
public sealed interface RegistryCredential {

    /** Where it came from, for messages: "registry.passwordFile", "docker config.json auths", a helper's name. */
    String origin();

    /** A user name and password: HTTP Basic, or the Basic login to a registry's token endpoint. */
    record Basic(String username, String password, String origin) implements RegistryCredential {
        public Basic {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        public String header() {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Basic(user " + username + ", from " + origin + ")";
        }
    }

    /** A bearer token sent as is (static registries: registry.tokenFile). */
    record Bearer(String token, String origin) implements RegistryCredential {
        public Bearer {
            Objects.requireNonNull(token, "token");
        }

        public String header() {
            return "Bearer " + token;
        }

        @Override
        public String toString() {
            return "Bearer(from " + origin + ")";
        }
    }

    /** Docker's {@code identitytoken}: an OAuth2 refresh token exchanged at the registry's token endpoint. */
    record IdentityToken(String refreshToken, String origin) implements RegistryCredential {
        public IdentityToken {
            Objects.requireNonNull(refreshToken, "refreshToken");
        }

        @Override
        public String toString() {
            return "IdentityToken(from " + origin + ")";
        }
    }
}
