package io.ccf.ar.runtime.run;

import io.ccf.ar.runtime.config.JobDefinition;

/**
 * What the runner tells the metrics about runs (implemented by {@code io.ccf.ar.runtime.ops.RuntimeMetrics}).
 * Called on the run and Execute threads; implementations must be thread-safe and fast. {@link #NONE} records
 * nothing.
 */
public interface RunMetrics {
    RunMetrics NONE = new RunMetrics() {
    };

    /** A run of {@code job} begins; {@code scheduled} is false for an ad-hoc run (a request). */
    default void runStarted(JobDefinition job, boolean scheduled) {
    }

    /** The run is over (also when it failed unexpectedly: outcome FAILED). */
    default void runFinished(JobDefinition job, boolean scheduled, RunOutcome outcome, long durationNanos) {
    }

    /** One Execute call returned ({@code ok}: the plugin answered) or failed, after {@code nanos}. */
    default void executeFinished(String packageName, String version, boolean ok, long nanos) {
    }

    /** One result went to the sink. */
    default void resultProduced(AssessmentResult.Status status) {
    }
}
