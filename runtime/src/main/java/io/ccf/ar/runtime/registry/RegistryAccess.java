package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.config.RegistrySettings;
import io.ccf.ar.runtime.registry.auth.AuthorizedHttp;
import io.ccf.ar.runtime.registry.auth.CredentialSource;
import io.ccf.ar.runtime.registry.auth.DockerConfigCredentials;
import io.ccf.ar.runtime.registry.auth.RegistryCredential;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a package source may present to the registry and must demand of it: credentials by host, and the keys a
 * static registry's index must be signed with (none: the {@code .sha256} beside each file is trusted, as before).
 */
public record RegistryAccess(CredentialSource credentials, List<IndexSignature.TrustedKey> trustedKeys) {
    public static final RegistryAccess ANONYMOUS = new RegistryAccess(CredentialSource.NONE, List.of());
    private static final long MAX_SECRET_FILE = 64 * 1024;

    public RegistryAccess {
        Objects.requireNonNull(credentials, "credentials");
        trustedKeys = List.copyOf(trustedKeys);
    }

    public RegistryAccess withTrustedKeys(List<IndexSignature.TrustedKey> keys) {
        return new RegistryAccess(credentials, keys);
    }

    /**
     * From the {@code registry:} settings, for the registry at {@code registry}: {@code username} +
     * {@code passwordFile} or {@code tokenFile} for its host; for OCI registries, then Docker's config.json
     * ({@code dockerConfig}, else {@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json} when present).
     * Throws IllegalArgumentException naming the setting when a file cannot be used (never quoting its content).
     */
    public static RegistryAccess from(RegistrySettings settings, URI registry, Map<String, String> environment) {
        String scheme = registry.getScheme() == null ? "" : registry.getScheme().toLowerCase(Locale.ROOT);
        boolean oci = scheme.startsWith("oci");
        String host = AuthorizedHttp.hostKey(registry);
        CredentialSource credentials = CredentialSource.NONE;
        if (!settings.username().isBlank() && settings.passwordFile().isPresent()) {
            String password = readSecret(settings.passwordFile().get(), "registry.passwordFile");
            credentials = CredentialSource.forHost(host, new RegistryCredential.Basic(settings.username(), password,
                    "registry.username/registry.passwordFile"));
        } else if (settings.tokenFile().isPresent()) {
            String token = readSecret(settings.tokenFile().get(), "registry.tokenFile");
            credentials = CredentialSource.forHost(host, new RegistryCredential.Bearer(token, "registry.tokenFile"));
        }
        if (oci) {
            Optional<Path> dockerConfig = settings.dockerConfig().isPresent() ? settings.dockerConfig()
                    : DockerConfigCredentials.defaultConfigFile(environment);
            if (dockerConfig.isPresent()) {
                credentials = credentials.orElse(new DockerConfigCredentials(dockerConfig.get(),
                        environment.getOrDefault("PATH", "")));
            }
        }
        List<IndexSignature.TrustedKey> keys = new ArrayList<>();
        for (Path file : settings.trustedKeys()) {
            try {
                keys.add(IndexSignature.trustedKey(file));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("registry.trustedKeys: " + e.getMessage(), e);
            }
        }
        if (!keys.isEmpty() && oci) {
            throw new IllegalArgumentException("registry.trustedKeys applies to static registries (http://, https://);"
                    + " for " + registry + " pin versions by digest (version: 1.0.0@sha256:...)");
        }
        return new RegistryAccess(credentials, keys);
    }

    /** The first line of a secret file, without its line break; never echoed. */
    static String readSecret(Path file, String setting) {
        try {
            if (Files.size(file) > MAX_SECRET_FILE) {
                throw new IllegalArgumentException(setting + " " + file + " is larger than " + MAX_SECRET_FILE + " bytes");
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            String line = (nl >= 0 ? text.substring(0, nl) : text);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                throw new IllegalArgumentException(setting + " " + file + " is empty");
            }
            return line;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + setting + " " + file + ": " + e.getClass().getSimpleName());
        }
    }
}
