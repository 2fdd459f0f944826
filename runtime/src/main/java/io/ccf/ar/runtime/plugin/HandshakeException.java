package io.ccf.ar.runtime.plugin;

/** The first stdout line of a plugin is not a go-plugin handshake we can use. */
public final class HandshakeException extends Exception {
    public HandshakeException(String message) {
        super(message);
    }
}
