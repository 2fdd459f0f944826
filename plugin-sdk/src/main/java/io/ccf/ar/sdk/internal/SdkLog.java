package io.ccf.ar.sdk.internal;

import io.ccf.ar.sdk.PluginLog;

/** The logger the SDK's own events go through (the plugin's root logger). */
final class SdkLog {
    static final PluginLog LOG = PluginLog.get();

    private SdkLog() {
    }
}
