package io.ccf.ar.sdk.testing;

/**
 * The plugin could not be started: the process did not start, exited or printed something
 * else than a go-plugin handshake, did not answer within the start timeout, failed the
 * health check, or failed {@code Init}. The message says which, and ends with the tail of
 * the plugin's stderr (its log), where the plugin's own explanation usually is. The child
 * process is already stopped when this is thrown.
 */
public final class PluginStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong, with the stderr tail
     * @param cause the underlying failure, or {@code null}
     */
    public PluginStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
