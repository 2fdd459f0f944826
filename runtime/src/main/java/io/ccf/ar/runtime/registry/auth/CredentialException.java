package io.ccf.ar.runtime.registry.auth;

/** A credential source that cannot be read (a missing file, a failing helper); the message holds no secret. */
public final class CredentialException extends RuntimeException {
    public CredentialException(String message) {
        super(message);
    }

    public CredentialException(String message, Throwable cause) {
        super(message, cause);
    }
}
