package io.ccf.ar.runtime.ops;

import java.time.Clock;
import java.util.Optional;

import io.ccf.ar.runtime.config.MetricsSettings;
import io.ccf.ar.runtime.schedule.TriggerHandler;
import io.ccf.ar.runtime.schedule.TriggerQueue;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The daemon's operations side in one object, so the composition root needs a few lines: the metrics (hand
 * {@link #metrics()} to the components that record), the two decorators that watch fires ({@link #watchDispatch},
 * {@link #watchFires}), and the listener serving {@code /metrics}, {@code /healthz} and {@code /readyz}
 * ({@link #start}, {@link #close}). With {@code metrics.listen} empty the instruments still count but nothing is
 * served, and the JVM metrics are not set up at all.
 */
public final class Operations implements AutoCloseable {
    private final MetricsSettings settings;
    private final Clock clock;
    private final RuntimeMetrics metrics;
    private volatile FireMonitor fires;
    private volatile OpsServer server;

    public Operations(MetricsSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.metrics = new RuntimeMetrics(new PrometheusRegistry());
    }

    public RuntimeMetrics metrics() {
        return metrics;
    }

    /** The dispatcher, as the trigger queue should see it: counts skipped, dropped and redelivered fires. */
    public TriggerHandler watchDispatch(TriggerHandler dispatcher) {
        return new MeasuredTriggerHandler(dispatcher, metrics);
    }

    /** The trigger queue, as the cron scheduler should see it: measures fire lateness, watches for a stuck thread. */
    public TriggerQueue watchFires(TriggerQueue queue) {
        FireMonitor monitor = new FireMonitor(queue, metrics, clock);
        fires = monitor;
        return monitor;
    }

    /**
     * Registers the instruments read from {@code view} and, unless {@code metrics.listen} is empty, starts serving.
     *
     * @throws IllegalStateException naming {@code metrics.listen} when its address cannot be bound
     */
    public void start(RuntimeView view) {
        metrics.observe(view);
        if (settings.enabled()) {
            metrics.registry().register(new LazyJvmMetrics());
            HealthChecks health = new HealthChecks(view,
                    () -> fireMonitor().flatMap(FireMonitor::publishing), clock);
            server = OpsServer.start(settings, metrics.registry(), health);
        }
    }

    /** The monitor {@link #watchFires} put in front of the scheduler's queue, once it has. */
    Optional<FireMonitor> fireMonitor() {
        return Optional.ofNullable(fires);
    }

    /** {@code http://HOST:PORT} of the listener, when it runs. */
    public Optional<String> url() {
        return Optional.ofNullable(server).map(OpsServer::url);
    }

    @Override
    public void close() {
        OpsServer s = server;
        if (s != null) {
            s.close();
        }
    }
}
