package io.ccf.ar.runtime.plugin;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A token bucket over the lines one plugin may put in the daemon's log (stderr, stdout and the stdio
 * stream together): {@value #DEFAULT_RATE} lines a second, bursts of {@value #DEFAULT_BURST}. A line
 * over the rate is dropped and counted; one notice per {@link #NOTICE_INTERVAL} then says how many
 * were dropped, so a flood costs the log a few hundred lines a second and never goes unnoticed.
 * Thread-safe.
 */
final class LogRateLimiter {
    static final int DEFAULT_RATE = 100;
    static final int DEFAULT_BURST = 200;
    static final Duration NOTICE_INTERVAL = Duration.ofSeconds(1);

    /** One thread for the notices of every plugin: they are due when a flood goes quiet, with no line to carry them. */
    private static final ScheduledExecutorService NOTICES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "plugin-log-notices");
        t.setDaemon(true);
        return t;
    });

    private final double ratePerNano;
    private final int burst;
    private final long noticeDelayNanos;
    private final LongSupplier nanoTime;
    private final LongConsumer notice;

    private double tokens;
    private long refilledAt;
    private long suppressed;
    private long suppressedTotal;
    private boolean noticePending;

    /** @param notice called with the number of lines dropped since the last notice, at most once per interval */
    LogRateLimiter(LongConsumer notice) {
        this(DEFAULT_RATE, DEFAULT_BURST, NOTICE_INTERVAL, System::nanoTime, notice);
    }

    LogRateLimiter(int linesPerSecond, int burst, Duration noticeInterval, LongSupplier nanoTime, LongConsumer notice) {
        if (linesPerSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("rate and burst must be positive: " + linesPerSecond + "/s, burst " + burst);
        }
        this.ratePerNano = linesPerSecond / 1e9;
        this.burst = burst;
        this.noticeDelayNanos = noticeInterval.toNanos();
        this.nanoTime = nanoTime;
        this.notice = notice;
        this.tokens = burst;
        this.refilledAt = nanoTime.getAsLong();
    }

    /** True when a line may be logged now; otherwise it is counted for the next notice. */
    boolean tryAcquire() {
        synchronized (this) {
            long now = nanoTime.getAsLong();
            tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            suppressed++;
            suppressedTotal++;
            if (noticePending) {
                return false;
            }
            noticePending = true;
        }
        NOTICES.schedule(this::emitNotice, noticeDelayNanos, TimeUnit.NANOSECONDS);
        return false;
    }

    /** Lines dropped so far, over the limiter's life. */
    synchronized long suppressedTotal() {
        return suppressedTotal;
    }

    private void emitNotice() {
        long n;
        synchronized (this) {
            n = suppressed;
            suppressed = 0;
            noticePending = false;
        }
        if (n > 0) {
            notice.accept(n);
        }
    }
}
