package io.ccf.ar.runtime.config;

import java.util.List;

/**
 * What loading an assessments directory produced: the plans that loaded and the files that were
 * skipped. One bad file never stops the others from running.
 */
public record PlanLoadResult(List<PlanSpec> plans, List<RejectedPlanFile> rejected) {
    public PlanLoadResult {
        plans = List.copyOf(plans);
        rejected = List.copyOf(rejected);
    }

    public boolean hasProblems() {
        return !rejected.isEmpty();
    }

    /** Every problem of every rejected file, in file order; for logging. */
    public List<ConfigProblem> problems() {
        return rejected.stream().flatMap(r -> r.problems().stream()).toList();
    }
}
