package io.ccf.ar.runtime.messaging;

/** NATS could not be reached (the message names the URL and the cause). */
public class NatsUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NatsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
