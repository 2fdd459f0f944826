package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class LogRateLimiterTest {
    @Test
    void burstThenRateThenOneNoticeWithTheCount() throws Exception {
        AtomicLong now = new AtomicLong();
        CompletableFuture<Long> notice = new CompletableFuture<>();
        LogRateLimiter limiter = new LogRateLimiter(100, 200, Duration.ofMillis(50), now::get, notice::complete);
        int passed = 0;
        for (int i = 0; i < 1000; i++) {
            if (limiter.tryAcquire()) {
                passed++;
            }
        }
        assertEquals(200, passed, "the burst");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500)); // half a second: 50 more lines
        for (int i = 0; i < 1000; i++) {
            if (limiter.tryAcquire()) {
                passed++;
            }
        }
        assertEquals(250, passed);
        assertEquals(1750, notice.get(10, TimeUnit.SECONDS), "one notice counting every dropped line of the interval");
        assertEquals(1750, limiter.suppressedTotal());
    }

    @Test
    void noNoticeWithoutSuppression() {
        AtomicLong now = new AtomicLong();
        AtomicLong notices = new AtomicLong();
        LogRateLimiter limiter = new LogRateLimiter(10, 10, Duration.ofMillis(1), now::get, n -> notices.incrementAndGet());
        for (int i = 0; i < 100; i++) {
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
            assertTrue(limiter.tryAcquire());
        }
        assertEquals(0, limiter.suppressedTotal());
        assertFalse(notices.get() > 0);
    }
}
