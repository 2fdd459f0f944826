package io.ccf.ar.runtime.registry.oci;

import java.net.URI;

/**
 * A registry request failed; {@link Kind} says whether retrying could help. The package source turns it into a
 * RegistryException naming the package and version.
 */
public final class OciRegistryError extends RuntimeException {
    public enum Kind {
        /** 404: unknown repository, tag or blob. */
        NOT_FOUND,
        /** 401/403 even after the anonymous token dance. */
        DENIED,
        /** 5xx, timeout, connection trouble: worth retrying. */
        TRANSIENT,
        /** Content that does not match its digest, size or format: never retried. */
        INVALID
    }

    private final Kind kind;
    private final URI url;

    public OciRegistryError(Kind kind, URI url, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.url = url;
    }

    public OciRegistryError(Kind kind, URI url, String message) {
        this(kind, url, message, null);
    }

    public Kind kind() {
        return kind;
    }

    public URI url() {
        return url;
    }
}
