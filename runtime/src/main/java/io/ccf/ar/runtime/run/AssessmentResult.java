package io.ccf.ar.runtime.run;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.ccf.ar.proto.Finding;
import io.ccf.ar.proto.LogEntry;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Risk;
import io.ccf.ar.proto.Subject;

/**
 * One result: the assessment of one subject by one activity in one run (wire-contract.md, "Meaning").
 * A failed call is a result too: {@code error} set, status FAILURE, nothing observed.
 * {@code scheduledAt} is the fire time of a scheduled run, null for ad-hoc and run-once runs; {@code fireId}
 * ({@code <jobId>@<fireTime>}) names the fire then, the same on every runtime that runs it. {@code resultId} is the
 * result's identity ({@link ResultIds}): the NATS message id, the same for the same result of the same fire wherever
 * it ran.
 */
public record AssessmentResult(
        String runId, String runtimeId, String jobId, String planId,
        String assessmentId, String componentId, String controlId, String taskId, String activityId,
        String plugin, String packageName, String version,
        Status status, String error,
        Subject subject, List<Observation> observations, List<Finding> findings, List<Risk> risks,
        List<LogEntry> logs, Instant startedAt, Instant finishedAt, Instant scheduledAt,
        String fireId, String resultId) {

    /**
     * The plugin's verdict; FAILURE when the call itself failed; CANCELLED for a subject a run cut short by shutdown
     * did not assess (the fire is given back and runs again, on this or another runtime).
     */
    public enum Status { SUCCESS, FAILURE, CANCELLED }

    /** A result of a run that is not a fire, with its id derived from the run, activity and subject. */
    public AssessmentResult(
            String runId, String runtimeId, String jobId, String planId,
            String assessmentId, String componentId, String controlId, String taskId, String activityId,
            String plugin, String packageName, String version,
            Status status, String error,
            Subject subject, List<Observation> observations, List<Finding> findings, List<Risk> risks,
            List<LogEntry> logs, Instant startedAt, Instant finishedAt, Instant scheduledAt) {
        this(runId, runtimeId, jobId, planId, assessmentId, componentId, controlId, taskId, activityId, plugin,
                packageName, version, status, error, subject, observations, findings, risks, logs, startedAt,
                finishedAt, scheduledAt, null,
                ResultIds.forRun(runId, activityId, subject == null ? "" : subject.getId(), 0));
    }

    public AssessmentResult {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(status, "status");
        error = error == null ? "" : error;
        subject = subject == null ? Subject.getDefaultInstance() : subject;
        observations = List.copyOf(observations);
        findings = List.copyOf(findings);
        risks = List.copyOf(risks);
        logs = List.copyOf(logs);
        Objects.requireNonNull(resultId, "resultId");
    }

    public long durationMs() {
        return Duration.between(startedAt, finishedAt).toMillis();
    }

    /** SUCCESS and no error: what {@code ar run-once} counts as passing. */
    public boolean ok() {
        return status == Status.SUCCESS && error.isEmpty();
    }
}
