package io.ccf.ar.runtime.plans;

/** A run request the registry will not run; the message is sent back to the requester as is. */
public final class RunRejectedException extends RuntimeException {
    public RunRejectedException(String reason) {
        super(reason);
    }
}
