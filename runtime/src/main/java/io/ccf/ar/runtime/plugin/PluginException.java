package io.ccf.ar.runtime.plugin;

/** Base of every error the plugin host reports; messages name the plugin and say what to do. */
public class PluginException extends RuntimeException {
    public PluginException(String message) {
        super(message);
    }

    public PluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
