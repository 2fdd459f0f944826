package io.ccf.ar.runtime.plans;

/** The control plane could not be asked for jobs; the message names the URL and what went wrong. */
public final class ControlPlaneException extends RuntimeException {
    public ControlPlaneException(String message) {
        super(message);
    }

    public ControlPlaneException(String message, Throwable cause) {
        super(message, cause);
    }
}
