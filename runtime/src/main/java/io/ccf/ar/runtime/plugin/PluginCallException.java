package io.ccf.ar.runtime.plugin;

import io.grpc.Status;

/** A call to a plugin failed: the plugin returned an error, timed out, or died during the call. */
public final class PluginCallException extends PluginException {
    private final Status.Code code;

    public PluginCallException(String message, Status.Code code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The gRPC status code of the failure (UNAVAILABLE when the plugin process is gone). */
    public Status.Code code() {
        return code;
    }
}
