package io.ccf.ar.runtime.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * The runtime's config.yml after defaults, path resolution and environment overrides.
 *
 * @param configFile        absolute path of the file this came from (named in later error messages)
 * @param runtimeId         never empty: defaults to the host name
 * @param controlPlaneURL   may be empty (no control plane)
 * @param pluginRegistryURL may be empty
 * @param eventBusURL       may be empty (no event bus)
 * @param pluginsDir        absolute; relative values resolve against the config file's directory
 * @param assessmentsDir    absolute; as pluginsDir
 * @param timeZone          the zone of cron schedules without {@code CRON_TZ=}; every runtime sharing a schedule must
 *                          use the same one (fire times are computed in it); defaults to the host's zone, as robfig's
 * @param plans             what plan events and ad-hoc requests may run, and whether they are listened to at all
 * @param registry          credentials and trusted keys for pluginRegistryURL (the {@code registry:} section)
 * @param heartbeatInterval how often the runtime publishes its status on {@code runtime.heartbeat.<runtimeId>};
 *                          zero turns heartbeats off (the runtime still answers {@code runtime.status})
 * @param metrics           where /metrics, /healthz and /readyz are served (the {@code metrics:} section)
 */
public record RuntimeConfig(Path configFile, String runtimeId, String controlPlaneURL, String pluginRegistryURL,
        String eventBusURL, Path pluginsDir, Path assessmentsDir, LogFormat logFormat,
        PluginHostSettings pluginHost, ExecutionSettings execution, NatsSettings nats, List<PluginEntry> plugins,
        ZoneId timeZone, PlanPolicySettings plans, RegistrySettings registry, Duration heartbeatInterval,
        MetricsSettings metrics) {
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);

    /** With the default {@code metrics} section ({@value MetricsSettings#DEFAULT_LISTEN}). */
    public RuntimeConfig(Path configFile, String runtimeId, String controlPlaneURL, String pluginRegistryURL,
            String eventBusURL, Path pluginsDir, Path assessmentsDir, LogFormat logFormat,
            PluginHostSettings pluginHost, ExecutionSettings execution, NatsSettings nats, List<PluginEntry> plugins,
            ZoneId timeZone, PlanPolicySettings plans, RegistrySettings registry, Duration heartbeatInterval) {
        this(configFile, runtimeId, controlPlaneURL, pluginRegistryURL, eventBusURL, pluginsDir, assessmentsDir,
                logFormat, pluginHost, execution, nats, plugins, timeZone, plans, registry, heartbeatInterval,
                MetricsSettings.DEFAULTS);
    }

    /** With the default heartbeat interval. */
    public RuntimeConfig(Path configFile, String runtimeId, String controlPlaneURL, String pluginRegistryURL,
            String eventBusURL, Path pluginsDir, Path assessmentsDir, LogFormat logFormat,
            PluginHostSettings pluginHost, ExecutionSettings execution, NatsSettings nats, List<PluginEntry> plugins,
            ZoneId timeZone, PlanPolicySettings plans, RegistrySettings registry) {
        this(configFile, runtimeId, controlPlaneURL, pluginRegistryURL, eventBusURL, pluginsDir, assessmentsDir,
                logFormat, pluginHost, execution, nats, plugins, timeZone, plans, registry, DEFAULT_HEARTBEAT_INTERVAL);
    }

    /** With the default {@code plans} section (events and requests on; configured and stored packages only). */
    public RuntimeConfig(Path configFile, String runtimeId, String controlPlaneURL, String pluginRegistryURL,
            String eventBusURL, Path pluginsDir, Path assessmentsDir, LogFormat logFormat,
            PluginHostSettings pluginHost, ExecutionSettings execution, NatsSettings nats, List<PluginEntry> plugins,
            ZoneId timeZone, RegistrySettings registry) {
        this(configFile, runtimeId, controlPlaneURL, pluginRegistryURL, eventBusURL, pluginsDir, assessmentsDir,
                logFormat, pluginHost, execution, nats, plugins, timeZone, PlanPolicySettings.DEFAULTS, registry);
    }

    /** With the default {@code plans} section and no registry credentials. */
    public RuntimeConfig(Path configFile, String runtimeId, String controlPlaneURL, String pluginRegistryURL,
            String eventBusURL, Path pluginsDir, Path assessmentsDir, LogFormat logFormat,
            PluginHostSettings pluginHost, ExecutionSettings execution, NatsSettings nats, List<PluginEntry> plugins,
            ZoneId timeZone) {
        this(configFile, runtimeId, controlPlaneURL, pluginRegistryURL, eventBusURL, pluginsDir, assessmentsDir,
                logFormat, pluginHost, execution, nats, plugins, timeZone, PlanPolicySettings.DEFAULTS,
                RegistrySettings.NONE);
    }

    public RuntimeConfig {
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(runtimeId, "runtimeId");
        Objects.requireNonNull(controlPlaneURL, "controlPlaneURL");
        Objects.requireNonNull(pluginRegistryURL, "pluginRegistryURL");
        Objects.requireNonNull(eventBusURL, "eventBusURL");
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        Objects.requireNonNull(assessmentsDir, "assessmentsDir");
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(pluginHost, "pluginHost");
        Objects.requireNonNull(execution, "execution");
        Objects.requireNonNull(nats, "nats");
        plugins = List.copyOf(plugins);
        Objects.requireNonNull(timeZone, "timeZone");
        Objects.requireNonNull(plans, "plans");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (heartbeatInterval.isNegative()) {
            throw new IllegalArgumentException("heartbeatInterval must be zero or positive: " + heartbeatInterval);
        }
        Objects.requireNonNull(metrics, "metrics");
    }
}
