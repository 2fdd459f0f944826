package io.ccf.ar.runtime.plans;

import java.util.Objects;

import io.ccf.ar.runtime.config.PlanSpec;

/** A request to run now, from {@code runtime.assessment.request}: a plan sent inline, or one the runtime has. */
public sealed interface RunRequest {
    /** For logs: "ad-hoc plan p1", "plan p1 task t1 activity a1". */
    String describe();

    /** A whole plan in the request: validated like a plan file, run once, never stored or scheduled. */
    record AdHocPlan(PlanSpec plan) implements RunRequest {
        public AdHocPlan {
            Objects.requireNonNull(plan, "plan");
        }

        @Override
        public String describe() {
            return "ad-hoc plan " + plan.id();
        }
    }

    /**
     * A plan the runtime schedules, or part of it.
     *
     * @param taskId     empty: every task of the plan
     * @param activityId empty: every activity of the task; set only together with taskId, since
     *                   activity ids are unique only within their task
     */
    record StoredPlan(String planId, String taskId, String activityId) implements RunRequest {
        public StoredPlan {
            Objects.requireNonNull(planId, "planId");
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(activityId, "activityId");
            if (planId.isBlank()) {
                throw new IllegalArgumentException("planId must not be blank");
            }
            if (!activityId.isEmpty() && taskId.isEmpty()) {
                throw new IllegalArgumentException("activityId needs a taskId");
            }
        }

        @Override
        public String describe() {
            StringBuilder sb = new StringBuilder("plan ").append(planId);
            if (!taskId.isEmpty()) {
                sb.append(" task ").append(taskId);
            }
            if (!activityId.isEmpty()) {
                sb.append(" activity ").append(activityId);
            }
            return sb.toString();
        }
    }
}
