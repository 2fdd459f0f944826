package io.ccf.ar.runtime.plugin;

/** No runnable plugin file for a package version in the plugins directory. */
public final class PluginNotFoundException extends PluginException {
    public PluginNotFoundException(String message) {
        super(message);
    }
}
