package io.ccf.ar.sdk.internal;

/** What {@code PluginServer.Builder} collected. */
public final class Options {
    /** Run handlers on the event loop ({@code directExecutor}). */
    public boolean handlersDoNotBlock;
    /** App protocol versions the plugin speaks. */
    public int[] appProtocolVersions = {1};
    /** The plugin's name for logs; null keeps the default. */
    public String name;
}
