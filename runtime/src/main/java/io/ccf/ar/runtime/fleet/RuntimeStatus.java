package io.ccf.ar.runtime.fleet;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What one runtime says about itself, on {@code runtime.heartbeat.<runtimeId>} and in answer to {@code runtime.status}
 * (one JSON document). It carries no secrets: no URLs, no plugin configuration, no credentials; only ids, versions,
 * states and counts. Times are ISO-8601 instants in UTC; {@code uptime} is measured on the runtime's own clock
 * ({@code sentAt - startedAt}), so clock skew between hosts does not distort it.
 *
 * @param jobsDigest   SHA-256 over the sorted (job id, schedule, time zone) of every job: equal on runtimes that
 *                     load the same schedules, which the shared schedule needs
 * @param jobs         the jobs themselves, at most {@link JobSet#MAX_LISTED} (then {@code jobsTruncated})
 * @param spoolDepth   results waiting in the on-disk spool (0 without NATS results)
 * @param lastError    the last ERROR line this runtime logged, or null
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RuntimeStatus(String runtimeId, String version, String startedAt, String sentAt, long uptimeSeconds,
        String timeZone, int jobCount, String jobsDigest, List<Job> jobs, boolean jobsTruncated, List<Plugin> plugins,
        int runsInFlight, long spoolDepth, LastError lastError) {
    public RuntimeStatus {
        Objects.requireNonNull(runtimeId, "runtimeId");
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
        plugins = plugins == null ? List.of() : List.copyOf(plugins);
    }

    /** A job as the schedule sees it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Job(String id, String schedule, String timeZone) {
    }

    /** A plugin child process (one per package version); pid is null while none runs. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Plugin(@JsonProperty("package") String packageName, String version, Long pid, String state, int restarts) {
    }

    /** The last ERROR line: when, which logger, the message (URL user-info removed, cut at 500 characters). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LastError(String at, String logger, String message) {
    }
}
