package io.ccf.ar.runtime.fleet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.plugin.PluginManager;

/**
 * Builds this runtime's {@link RuntimeStatus} from small read-only views of the running parts (the job catalog,
 * the plugin host, the dispatcher's runs in flight, the result spool, the last ERROR line). Cheap: called on every
 * heartbeat and every status request.
 */
public final class StatusReporter {
    private final Identity identity;
    private final Supplier<JobCatalog> jobs;
    private final PluginManager plugins;
    private final IntSupplier runsInFlight;
    private final LongSupplier spoolDepth;
    private final Supplier<Optional<RuntimeStatus.LastError>> lastError;
    private final Clock clock;

    /** Who this runtime is: fixed for its lifetime. */
    public record Identity(String runtimeId, String version, Instant startedAt, ZoneId timeZone) {
    }

    public StatusReporter(Identity identity, Supplier<JobCatalog> jobs, PluginManager plugins, IntSupplier runsInFlight,
            LongSupplier spoolDepth, Supplier<Optional<RuntimeStatus.LastError>> lastError, Clock clock) {
        this.identity = identity;
        this.jobs = jobs;
        this.plugins = plugins;
        this.runsInFlight = runsInFlight;
        this.spoolDepth = spoolDepth;
        this.lastError = lastError;
        this.clock = clock;
    }

    public String runtimeId() {
        return identity.runtimeId();
    }

    public RuntimeStatus report() {
        Instant now = clock.instant();
        JobSet jobSet = JobSet.of(jobs.get(), identity.timeZone());
        List<RuntimeStatus.Plugin> children = plugins.clients().stream()
                .map(c -> new RuntimeStatus.Plugin(c.ref().name(), c.ref().version(),
                        c.pid().isPresent() ? c.pid().getAsLong() : null, c.state().name(), c.restarts()))
                .toList();
        return new RuntimeStatus(identity.runtimeId(), identity.version(), identity.startedAt().toString(), now.toString(),
                Math.max(0, Duration.between(identity.startedAt(), now).toSeconds()), identity.timeZone().getId(),
                jobSet.jobs().size(), jobSet.digest(), jobSet.listed(), jobSet.truncated(), children,
                runsInFlight.getAsInt(), spoolDepth.getAsLong(), lastError.get().orElse(null));
    }
}
