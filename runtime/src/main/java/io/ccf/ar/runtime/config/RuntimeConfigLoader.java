package io.ccf.ar.runtime.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Loads config.yml. The environment is passed in (never read here) so tests and embedders control it.
 * Overrides: AR_RUNTIME_ID, AR_CONTROL_PLANE_URL, AR_PLUGIN_REGISTRY_URL, AR_EVENT_BUS_URL, AR_LOG_FORMAT,
 * AR_TIME_ZONE, AR_HEARTBEAT_INTERVAL;
 * an empty variable counts as unset.
 */
public final class RuntimeConfigLoader {
    public static final String ENV_RUNTIME_ID = "AR_RUNTIME_ID";
    public static final String ENV_CONTROL_PLANE_URL = "AR_CONTROL_PLANE_URL";
    public static final String ENV_PLUGIN_REGISTRY_URL = "AR_PLUGIN_REGISTRY_URL";
    public static final String ENV_EVENT_BUS_URL = "AR_EVENT_BUS_URL";
    public static final String ENV_LOG_FORMAT = "AR_LOG_FORMAT";
    public static final String ENV_TIME_ZONE = "AR_TIME_ZONE";
    public static final String ENV_HEARTBEAT_INTERVAL = "AR_HEARTBEAT_INTERVAL";
    public static final String ENV_METRICS_LISTEN = "AR_METRICS_LISTEN";

    private final Map<String, String> environment;
    private final Supplier<String> hostName;

    /** @param environment usually {@code System.getenv()}; copied */
    public RuntimeConfigLoader(Map<String, String> environment) {
        this(environment, HostName::current);
    }

    /** @param hostName supplies the default runtimeId; only called when no id is configured */
    public RuntimeConfigLoader(Map<String, String> environment, Supplier<String> hostName) {
        this.environment = Map.copyOf(environment);
        this.hostName = Objects.requireNonNull(hostName, "hostName");
    }

    /**
     * Reads, validates and resolves {@code configFile}. A missing or empty file is an error only in
     * the first case: an empty file means all defaults.
     *
     * @throws ConfigException listing every problem found (file, line, column, field, what is wrong)
     */
    public RuntimeConfig load(Path configFile) {
        ProblemCollector problems = new ProblemCollector(configFile.toString());
        ConfigNode root = YamlTreeReader.read(configFile, problems);
        if (root == null) {
            problems.throwIfAny();
        }
        RuntimeConfig config = new RuntimeConfigBinder(configFile, environment, hostName, problems).bind(root);
        problems.throwIfAny();
        return config;
    }
}
