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
 */
public record Trigger(String jobId, Instant fireTime) {
    public Trigger {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(fireTime, "fireTime");
    }
}
