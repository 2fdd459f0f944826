package io.ccf.ar.runtime.plans;

import java.util.Objects;

/** A run that was accepted; {@code runId} is what its results on job.result carry. */
public record RunTicket(String runId) {
    public RunTicket {
        Objects.requireNonNull(runId, "runId");
    }
}
