package io.ccf.ar.runtime.plugin;

/** Life of one plugin child process, as the host sees it. */
public enum PluginState {
    NEW, STARTING, READY, FAILED, RESTARTING, STOPPING, STOPPED
}
