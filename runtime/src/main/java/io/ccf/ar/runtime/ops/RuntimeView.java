package io.ccf.ar.runtime.ops;

import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.ccf.ar.runtime.messaging.JetStreamResultSink;
import io.ccf.ar.runtime.messaging.NatsLink;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginState;
import io.ccf.ar.runtime.schedule.CronScheduler;
import io.ccf.ar.runtime.schedule.TriggerQueue;

/**
 * What the metrics and health checks read from the running daemon, read-only and at the moment they ask (a scrape,
 * a probe). The daemon builds it from its parts; the suppliers may return empty while it is starting.
 *
 * @param pluginStates package versions with a plugin client, and their state
 * @param scheduler    the cron scheduler, once the daemon has started it (after the plugins' first start)
 * @param triggerQueue the queue fires go to now (in-process, or the shared JetStream one)
 * @param nats         the NATS link, when an event bus is configured
 * @param results      the JetStream result sink (with its spool), when an event bus is configured
 * @param stopping     true once the daemon is stopping
 */
public record RuntimeView(Supplier<Map<PackageRef, PluginState>> pluginStates,
                          Supplier<Optional<CronScheduler>> scheduler,
                          Supplier<Optional<TriggerQueue>> triggerQueue,
                          Optional<NatsLink> nats,
                          Optional<JetStreamResultSink> results,
                          BooleanSupplier stopping) {
}
