package io.ccf.ar.runtime.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code execution} section: limits on one run of a job.
 *
 * @param runTimeout  a whole run (all activities) is cancelled after this, default 5m
 * @param concurrency max concurrent Execute calls within one run, at least 1, default 8
 * @param gracePeriod how long shutdown waits for in-flight runs, default 30s (0 = do not wait)
 * @param maxConcurrentRuns runs in flight on this runtime at once, default 16: a runtime takes a trigger from the
 *                    shared schedule only when it has room, so the others stay in the stream for other runtimes
 */
public record ExecutionSettings(Duration runTimeout, int concurrency, Duration gracePeriod, int maxConcurrentRuns) {
    public static final int DEFAULT_MAX_CONCURRENT_RUNS = 16;
    public static final ExecutionSettings DEFAULTS =
            new ExecutionSettings(Duration.ofMinutes(5), 8, Duration.ofSeconds(30), DEFAULT_MAX_CONCURRENT_RUNS);

    /** With the default {@code maxConcurrentRuns}. */
    public ExecutionSettings(Duration runTimeout, int concurrency, Duration gracePeriod) {
        this(runTimeout, concurrency, gracePeriod, DEFAULT_MAX_CONCURRENT_RUNS);
    }

    public ExecutionSettings {
        Objects.requireNonNull(runTimeout, "runTimeout");
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        if (maxConcurrentRuns < 1) {
            throw new IllegalArgumentException("maxConcurrentRuns must be at least 1, got " + maxConcurrentRuns);
        }
    }
}
