package io.ccf.ar.runtime.schedule;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code @every <duration>}: port of robfig/cron v3 {@code ConstantDelaySchedule} (constantdelay.go). The delay is
 * whole seconds: below one second it becomes one second, otherwise the fraction of a second is dropped
 * ({@code 500ms} -> 1s, {@code 1.5s} -> 1s, {@code -5m} -> 1s). Fire times fall on whole seconds.
 */
final class ConstantDelaySchedule implements CronSchedule {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final String expression;
    private final ZoneId zone;
    private final long delayNanos;

    /** robfig's {@code Every(duration)}. */
    ConstantDelaySchedule(String expression, ZoneId zone, Duration every) {
        this.expression = Objects.requireNonNull(expression, "expression");
        this.zone = Objects.requireNonNull(zone, "zone");
        long nanos = every.toNanos(); // a Go duration, so it fits
        if (nanos < NANOS_PER_SECOND) {
            nanos = NANOS_PER_SECOND;
        }
        this.delayNanos = nanos - nanos % NANOS_PER_SECOND;
    }

    /** The delay between fire times, whole seconds of at least one. */
    Duration delay() {
        return Duration.ofNanos(delayNanos);
    }

    /** {@code after} plus the delay, less {@code after}'s fraction of a second. */
    @Override
    public Optional<ZonedDateTime> next(ZonedDateTime after) {
        return Optional.of(after.plusNanos(delayNanos - after.getNano()).withZoneSameInstant(zone));
    }

    @Override
    public String expression() {
        return expression;
    }

    @Override
    public ZoneId zone() {
        return zone;
    }

    @Override
    public String toString() {
        return expression + " (" + zone + ")";
    }
}
