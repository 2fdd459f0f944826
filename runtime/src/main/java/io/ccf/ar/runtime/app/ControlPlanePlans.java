package io.ccf.ar.runtime.app;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.PlanSpec;
import io.ccf.ar.runtime.config.RuntimeConfig;
import io.ccf.ar.runtime.plans.ControlPlaneClient;
import io.ccf.ar.runtime.plans.PlanStore;

/**
 * The original's behaviour at start: take the control plane's plans when it answers (stored as plan files,
 * a plan that conflicts with the stored ones is never stored), else start from the files already here.
 */
final class ControlPlanePlans {
    private static final Logger log = LoggerFactory.getLogger(ControlPlanePlans.class);

    private final RuntimeConfig config;
    private final PlanStore store;

    ControlPlanePlans(RuntimeConfig config, PlanStore store) {
        this.config = config;
        this.store = store;
    }

    void fetchIntoStore() {
        if (config.controlPlaneURL().isBlank()) {
            return;
        }
        try {
            List<PlanSpec> fetched = new ControlPlaneClient().fetchJobs(URI.create(config.controlPlaneURL()), Duration.ofSeconds(10));
            for (PlanSpec plan : fetched) {
                try {
                    List<PlanSpec> stored = JobCatalog.compileSkippingConflicts(config, store.plans()).plans().plans();
                    List<PlanSpec> next = new java.util.ArrayList<>(stored.stream().filter(p -> !p.id().equals(plan.id())).toList());
                    next.add(plan);
                    JobCatalog.compile(config, next); // throws what would conflict
                    store.put(plan);
                } catch (ConfigException e) {
                    log.error("plan {} from the control plane not stored: {}", plan.id(), e.getMessage());
                }
            }
            log.info("{} plan(s) from the control plane at {}", fetched.size(), config.controlPlaneURL());
        } catch (RuntimeException e) {
            log.warn("control plane at {} did not give the plans ({}); starting from the plan files in {}",
                    config.controlPlaneURL(), e.getMessage(), config.assessmentsDir());
        }
    }
}
