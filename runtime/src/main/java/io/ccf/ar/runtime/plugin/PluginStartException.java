package io.ccf.ar.runtime.plugin;

/** A plugin process could not be started or did not complete the go-plugin handshake. */
public final class PluginStartException extends PluginException {
    public PluginStartException(String message) {
        super(message);
    }

    public PluginStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
