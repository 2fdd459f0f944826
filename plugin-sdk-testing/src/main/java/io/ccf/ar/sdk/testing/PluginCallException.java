package io.ccf.ar.sdk.testing;

import io.grpc.Status;

/**
 * A call to the plugin ({@code Init}, {@code Evaluate}, {@code Execute}, {@code Shutdown})
 * failed: the plugin answered with a gRPC error (an exception thrown by the provider:
 * {@code IllegalArgumentException} becomes {@code INVALID_ARGUMENT}, others
 * {@code INTERNAL}), did not answer within the call timeout ({@code DEADLINE_EXCEEDED}), or
 * its process died during the call. The message names the call, the status code and
 * description, what happened to the process, and the tail of the plugin's stderr.
 */
public final class PluginCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The call that failed. */
    private final String call;
    /** Its gRPC status code. */
    private final Status.Code code;
    /** Its status description. */
    private final String description;
    /** The process's exit code, or {@code null} while it ran. */
    private final Integer exitCode;

    PluginCallException(String call, Status.Code code, String description, Integer exitCode, String message,
                        Throwable cause) {
        super(message, cause);
        this.call = call;
        this.code = code;
        this.description = description;
        this.exitCode = exitCode;
    }

    /**
     * The call that failed.
     *
     * @return {@code "Init"}, {@code "Evaluate"}, {@code "Execute"} or {@code "Shutdown"}
     */
    public String call() {
        return call;
    }

    /**
     * The gRPC status code of the failure.
     *
     * @return e.g. {@code INTERNAL}, {@code INVALID_ARGUMENT}, {@code DEADLINE_EXCEEDED},
     *     {@code UNAVAILABLE} (the process is gone)
     */
    public Status.Code code() {
        return code;
    }

    /**
     * The status description the plugin (or gRPC) gave.
     *
     * @return e.g. {@code "java.lang.IllegalStateException: boom"}; empty if none
     */
    public String description() {
        return description;
    }

    /**
     * Whether the plugin process had exited when the call failed.
     *
     * @return {@code true} if it crashed or exited during (or before) the call
     */
    public boolean processExited() {
        return exitCode != null;
    }

    /**
     * The plugin process's exit code, if it had exited when the call failed.
     *
     * @return the exit code, or {@code -1} if the process was still running
     */
    public int exitCode() {
        return exitCode == null ? -1 : exitCode;
    }
}
