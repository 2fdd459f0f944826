package io.ccf.ar.runtime.ops;

import java.util.function.Predicate;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The JVM and process metrics ({@code jvm_*}, {@code process_*}), set up at the first scrape rather than at start.
 * Setting them up loads JMX, java.util.logging and the JFR diagnostic commands (about 600 classes, several MB of an
 * idle daemon's memory), which a daemon nobody scrapes never needs. They read the JVM's own cumulative counters, so
 * the first scrape shows the same values as if they had been there from the start (except the allocation counters of
 * {@code jvm_memory_pool_allocated_bytes}, which count from the first scrape on).
 */
final class LazyJvmMetrics implements MultiCollector {
    private volatile PrometheusRegistry jvm;

    @Override
    public MetricSnapshots collect() {
        return jvm().scrape();
    }

    @Override
    public MetricSnapshots collect(Predicate<String> includedNames, PrometheusScrapeRequest request) {
        return includedNames == null ? jvm().scrape() : jvm().scrape(includedNames);
    }

    private PrometheusRegistry jvm() {
        PrometheusRegistry r = jvm;
        if (r == null) {
            synchronized (this) {
                r = jvm;
                if (r == null) {
                    r = new PrometheusRegistry();
                    JvmMetrics.builder().register(r);
                    jvm = r;
                }
            }
        }
        return r;
    }
}
