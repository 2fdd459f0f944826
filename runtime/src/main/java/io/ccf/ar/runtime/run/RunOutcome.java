package io.ccf.ar.runtime.run;

/** How a run of a job ended. */
public enum RunOutcome {
    /** Every result SUCCESS and no error. */
    SUCCEEDED,
    /** At least one result failed or carried an error (including the run deadline). */
    FAILED,
    /** Not run: the previous run of the same job was still going. */
    SKIPPED_OVERLAP,
    /** Not run: the trigger came too late (its starting deadline passed). */
    MISFIRED,
    /** Stopped before it finished, by shutdown. */
    CANCELLED
}
