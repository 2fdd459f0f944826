package io.ccf.ar.runtime.plans;

import io.ccf.ar.runtime.config.PlanSpec;

/**
 * What the running daemon offers to the outside world (plan events, run requests): change the
 * plans it schedules and start runs now. Plan files are written by {@link PlanStore} before these
 * calls, so an implementation only updates what is scheduled.
 */
public interface PlanRegistry {
    /**
     * Schedules the plan's tasks, replacing every job of a plan with the same id. May block while
     * the plan's plugins are fetched and started; plan events are handled one at a time, in order.
     *
     * @throws io.ccf.ar.runtime.config.ConfigException when the plan conflicts with the other jobs
     */
    void apply(PlanSpec plan);

    /**
     * Whether {@link #apply} would accept the plan: called before the plan is stored, so a plan that
     * conflicts with the other jobs is refused without touching the plan files. Fast (no download).
     *
     * @throws io.ccf.ar.runtime.config.ConfigException naming the conflicting jobs
     */
    void check(PlanSpec plan);

    /** Stops scheduling the plan's tasks (runs in flight finish). False when no such plan was scheduled. */
    boolean remove(String planId);

    /**
     * Starts a run and returns at once; the run goes on asynchronously and its results flow like
     * scheduled ones (job.result).
     *
     * @throws RunRejectedException with the reason to give the requester (unknown plan or task...)
     */
    RunTicket runNow(RunRequest request);
}
