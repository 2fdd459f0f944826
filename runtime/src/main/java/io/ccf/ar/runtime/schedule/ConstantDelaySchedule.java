package io.ccf.ar.runtime.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code @every <duration>}: robfig/cron v3's {@code ConstantDelaySchedule} (constantdelay.go) with one deliberate
 * difference. The delay is robfig's: whole seconds, below one second it becomes one second, otherwise the fraction of
 * a second is dropped ({@code 500ms} -> 1s, {@code 1.5s} -> 1s, {@code -5m} -> 1s). But fire times are the multiples
 * of the delay counted from the Unix epoch, not from whenever the scheduler happened to start: robfig's
 * "after + delay" gives every runtime sharing a schedule its own fire times, so each would publish (and run) fires the
 * others never see. Aligned, every runtime computes the same fire times for the same schedule, whatever its zone.
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

    /** The first multiple of the delay since the Unix epoch strictly after {@code after}. */
    @Override
    public Optional<ZonedDateTime> next(ZonedDateTime after) {
        long delaySeconds = delayNanos / NANOS_PER_SECOND;
        long next = (Math.floorDiv(after.toEpochSecond(), delaySeconds) + 1) * delaySeconds;
        return Optional.of(ZonedDateTime.ofInstant(Instant.ofEpochSecond(next), zone));
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
