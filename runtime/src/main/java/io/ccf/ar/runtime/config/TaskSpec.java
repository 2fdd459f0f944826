package io.ccf.ar.runtime.config;

import java.util.List;
import java.util.Objects;

/** A scheduled unit of a plan: its activities run together on {@code schedule} (cron). */
public record TaskSpec(String id, String title, String schedule, List<ActivitySpec> activities) {
    public TaskSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(schedule, "schedule");
        activities = List.copyOf(activities);
    }
}
