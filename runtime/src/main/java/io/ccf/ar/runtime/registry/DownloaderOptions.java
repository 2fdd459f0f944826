package io.ccf.ar.runtime.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * @param timeout      limit for one request, headers and whole body together
 * @param maxBodyBytes largest package file accepted
 * @param retries      extra attempts after a transient failure (5xx, timeout, connection error)
 * @param backoff      wait before the first retry; doubles for each later one
 */
public record DownloaderOptions(Duration timeout, long maxBodyBytes, int retries, Duration backoff) {
    public static final long DEFAULT_MAX_BODY_BYTES = 512L * 1024 * 1024;

    public DownloaderOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(backoff, "backoff");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative: " + retries);
        }
        if (backoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative: " + backoff);
        }
    }

    /** A registry host that does not answer at all (filtered, down) fails within this, however long a body may take. */
    static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** For the TCP connect: the request timeout, but at most {@link #MAX_CONNECT_TIMEOUT}. */
    public Duration connectTimeout() {
        return timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT;
    }

    public static DownloaderOptions defaults() {
        return new DownloaderOptions(Duration.ofMinutes(5), DEFAULT_MAX_BODY_BYTES, 3, Duration.ofMillis(500));
    }

    public DownloaderOptions withTimeout(Duration t) {
        return new DownloaderOptions(t, maxBodyBytes, retries, backoff);
    }

    public DownloaderOptions withMaxBodyBytes(long max) {
        return new DownloaderOptions(timeout, max, retries, backoff);
    }

    public DownloaderOptions withRetries(int r, Duration b) {
        return new DownloaderOptions(timeout, maxBodyBytes, r, b);
    }
}
