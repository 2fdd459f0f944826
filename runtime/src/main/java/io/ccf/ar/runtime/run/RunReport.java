package io.ccf.ar.runtime.run;

/** What one run did, for logs and callers (results went to the sink as they came). */
public record RunReport(String runId, String jobId, RunOutcome outcome, int results, int failedResults,
                        long durationMs) {
}
