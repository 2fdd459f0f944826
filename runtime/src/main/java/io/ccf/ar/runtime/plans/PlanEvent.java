package io.ccf.ar.runtime.plans;

import java.util.Objects;

import io.ccf.ar.runtime.config.PlanSpec;

/** A decoded {@code runtime.configuration} message. */
public sealed interface PlanEvent {
    /** As sent: "activated", "updated", "deleted" or "delete"; for logs. */
    String type();

    String planId();

    /** "activated" or "updated": store the plan and schedule it. */
    record Upsert(String type, PlanSpec plan) implements PlanEvent {
        public Upsert {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(plan, "plan");
        }

        @Override
        public String planId() {
            return plan.id();
        }
    }

    /** "deleted" (or the original runtime's "delete"): forget the plan. */
    record Delete(String type, String planId) implements PlanEvent {
        public Delete {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(planId, "planId");
        }
    }
}
