package io.ccf.ar.runtime.registry.auth;

import java.util.Optional;

/** Finds the credential for a registry host ({@code host} or {@code host:port}, as in the registry URL). */
@FunctionalInterface
public interface CredentialSource {
    CredentialSource NONE = host -> Optional.empty();

    /** Empty when there is none for this host; throws {@link CredentialException} when a source is broken. */
    Optional<RegistryCredential> lookup(String host);

    /** This source, then {@code next} for hosts this one has nothing for. */
    default CredentialSource orElse(CredentialSource next) {
        return host -> {
            Optional<RegistryCredential> found = lookup(host);
            return found.isPresent() ? found : next.lookup(host);
        };
    }

    /** One credential for one host (the settings' username/passwordFile apply to pluginRegistryURL's host only). */
    static CredentialSource forHost(String host, RegistryCredential credential) {
        return h -> h.equalsIgnoreCase(host) ? Optional.of(credential) : Optional.empty();
    }
}
