package io.ccf.ar.runtime.config;

import java.util.List;
import java.util.Objects;

/**
 * A schedulable job, whichever form it was configured in: {@code plugin/<name>} for a config.yml
 * plugin entry (plan fields empty), {@code <planId>/<taskId>} for a plan task.
 *
 * @param planId empty for a plugin job
 * @param taskId empty for a plugin job
 */
public record JobDefinition(String id, String planId, String title, String schedule, String componentId,
        String controlId, String assessmentPlanId, String taskId, List<ActivityDefinition> activities) {
    public JobDefinition {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(planId, "planId");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(componentId, "componentId");
        Objects.requireNonNull(controlId, "controlId");
        Objects.requireNonNull(assessmentPlanId, "assessmentPlanId");
        Objects.requireNonNull(taskId, "taskId");
        activities = List.copyOf(activities);
    }

    public boolean isPluginJob() {
        return planId.isEmpty();
    }
}
