package io.ccf.ar.runtime.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code registry:} section of config.yml: credentials for {@code pluginRegistryURL} and the keys a static
 * registry's index must be signed with. Paths are absolute (relative ones resolve beside config.yml); files are
 * read when the registry is opened, and their contents never appear in a message.
 *
 * @param dockerConfig Docker's config.json (OCI registries: {@code auths}, {@code credHelpers}, {@code credsStore});
 *                     empty: {@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json} when present
 * @param username     with {@code passwordFile}: HTTP Basic for a static registry, the login for an OCI registry
 *                     (Basic, or at its token endpoint); empty when unset
 * @param passwordFile file holding the password (one line)
 * @param tokenFile    file holding a bearer token (static registries)
 * @param trustedKeys  Ed25519 public keys (PEM, from {@code ar keygen}); when set, a static registry's
 *                     {@code <package>/index.json} must carry a valid {@code index.json.sig} by one of them, and a
 *                     downloaded file must have the SHA-256 the signed index lists
 */
public record RegistrySettings(Optional<Path> dockerConfig, String username, Optional<Path> passwordFile,
                               Optional<Path> tokenFile, List<Path> trustedKeys) {
    public static final RegistrySettings NONE = new RegistrySettings(Optional.empty(), "", Optional.empty(),
            Optional.empty(), List.of());

    public RegistrySettings {
        Objects.requireNonNull(dockerConfig, "dockerConfig");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(passwordFile, "passwordFile");
        Objects.requireNonNull(tokenFile, "tokenFile");
        trustedKeys = List.copyOf(trustedKeys);
    }
}
