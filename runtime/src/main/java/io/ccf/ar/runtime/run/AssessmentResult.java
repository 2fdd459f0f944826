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
 * {@code scheduledAt} is the fire time of a scheduled run, null for ad-hoc and run-once runs.
 */
public record AssessmentResult(
        String runId, String runtimeId, String jobId, String planId,
        String assessmentId, String componentId, String controlId, String taskId, String activityId,
        String plugin, String packageName, String version,
        Status status, String error,
        Subject subject, List<Observation> observations, List<Finding> findings, List<Risk> risks,
        List<LogEntry> logs, Instant startedAt, Instant finishedAt, Instant scheduledAt) {

    /** The plugin's verdict, or FAILURE when the call itself failed. */
    public enum Status { SUCCESS, FAILURE }

    public AssessmentResult {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(status, "status");
        error = error == null ? "" : error;
        subject = subject == null ? Subject.getDefaultInstance() : subject;
        observations = List.copyOf(observations);
        findings = List.copyOf(findings);
        risks = List.copyOf(risks);
        logs = List.copyOf(logs);
    }

    public long durationMs() {
        return Duration.between(startedAt, finishedAt).toMillis();
    }

    /** SUCCESS and no error: what {@code ar run-once} counts as passing. */
    public boolean ok() {
        return status == Status.SUCCESS && error.isEmpty();
    }

    /** Unique per result, stable across retries of its publication (a NATS message id). */
    public String resultId() {
        return runId + ":" + jobId + ":" + activityId + ":" + subject.getId();
    }
}
