package io.ccf.ar.runtime.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code execution} section: limits on one run of a job.
 *
 * @param runTimeout  a whole run (all activities) is cancelled after this, default 5m
 * @param concurrency max concurrent Execute calls within one run, at least 1, default 8
 * @param gracePeriod how long shutdown waits for in-flight runs, default 30s (0 = do not wait)
 */
public record ExecutionSettings(Duration runTimeout, int concurrency, Duration gracePeriod) {
    public static final ExecutionSettings DEFAULTS =
            new ExecutionSettings(Duration.ofMinutes(5), 8, Duration.ofSeconds(30));

    public ExecutionSettings {
        Objects.requireNonNull(runTimeout, "runTimeout");
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
    }
}
