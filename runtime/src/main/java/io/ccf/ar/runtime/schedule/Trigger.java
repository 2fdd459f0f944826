package io.ccf.ar.runtime.schedule;

import java.time.Instant;
import java.util.Objects;

/**
 * One fire of one job: what the scheduler puts on a {@link TriggerQueue}.
 *
 * @param jobId    the job that is due
 * @param fireTime the time the job was scheduled to fire (a cron fire time, so usually a whole second), not the
 *                 time the trigger was published; the same job and fire time name the same run (a queue may use
 *                 the pair to drop duplicates)
 * @param timeZone the zone the fire time was computed in (the schedule's {@code CRON_TZ=}, else the runtime's
 *                 {@code timeZone}); empty when unknown. Runtimes sharing a schedule must agree on it: a runtime
 *                 receiving a trigger computed in another zone than its own says so
 */
public record Trigger(String jobId, Instant fireTime, String timeZone) {
    public Trigger {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(fireTime, "fireTime");
        timeZone = timeZone == null ? "" : timeZone;
    }

    /** Same fire: same job and fire time. The zone is where the fire time came from, not part of its identity. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Trigger t && jobId.equals(t.jobId) && fireTime.equals(t.fireTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, fireTime);
    }

    /** A trigger whose zone is not known (tests, ad-hoc sources). */
    public Trigger(String jobId, Instant fireTime) {
        this(jobId, fireTime, "");
    }

    /**
     * The fire's identity, the same on every runtime: {@code <jobId>@<fireTime in UTC, RFC 3339>}. Results of the
     * fire carry it (and ids derived from it), so copies of one fire run by several runtimes are recognisable.
     */
    public String fireId() {
        return fireId(jobId, fireTime);
    }

    /** {@link #fireId()} of a job and a fire time. */
    public static String fireId(String jobId, Instant fireTime) {
        return jobId + "@" + fireTime;
    }
}
