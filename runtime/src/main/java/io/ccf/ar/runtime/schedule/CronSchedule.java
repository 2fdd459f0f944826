package io.ccf.ar.runtime.schedule;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When a job fires: a parsed cron expression, evaluated exactly as Go's {@code github.com/robfig/cron/v3}
 * evaluates it (see {@link CronParser} for the accepted syntax). Immutable and thread-safe.
 */
public sealed interface CronSchedule permits SpecSchedule, ConstantDelaySchedule {

    /**
     * The first fire time strictly after {@code after}, expressed in {@link #zone()}.
     *
     * <p>Empty when no fire time exists within about five years of {@code after} (e.g. {@code "0 0 0 30 Feb *"}):
     * this is where robfig/cron returns Go's zero {@code time.Time}; a scheduler should treat it as "never runs".
     * Schedules from {@code @every} are never empty.
     */
    Optional<ZonedDateTime> next(ZonedDateTime after);

    /** The expression exactly as it was given to {@link CronParser#parse}. */
    String expression();

    /**
     * The zone the fields are evaluated in: the {@code CRON_TZ=}/{@code TZ=} zone if the expression has one,
     * else the parser's default zone. {@code @every} ignores it except to express results in it.
     */
    ZoneId zone();
}
