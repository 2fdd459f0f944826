package io.ccf.ar.runtime.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.ccf.ar.runtime.plugin.PluginEnvironment;
import io.ccf.ar.runtime.registry.PackageSources;

/** Binds and validates the config.yml tree; environment overrides are applied on top. */
final class RuntimeConfigBinder {
    static final List<String> TOP_KEYS = List.of("runtimeId", "controlPlaneURL", "pluginRegistryURL", "eventBusURL",
            "pluginsDir", "assessmentsDir", "logFormat", "timeZone", "pluginHost", "execution", "nats", "plugins");
    static final List<String> PLUGIN_HOST_KEYS = List.of("jvmOptions", "startTimeout", "callTimeout", "stopTimeout",
            "maxMessageSize", "autoMTLS", "environment");
    static final List<String> ENVIRONMENT_KEYS = List.of("inherit", "set", "packages");
    static final List<String> PACKAGE_ENVIRONMENT_KEYS = List.of("inherit", "set");
    static final List<String> EXECUTION_KEYS = List.of("runTimeout", "concurrency", "gracePeriod", "maxConcurrentRuns");
    static final List<String> NATS_KEYS = List.of("resultsStream", "scheduleStream", "replicas", "duplicateWindow",
            "ackWait", "maxDeliver", "misfireDeadline", "spoolDir", "startWait", "spoolMaxSize",
            "localFallbackAfter");
    static final List<String> PLUGIN_KEYS = List.of("name", "package", "version", "schedule", "configuration");

    /** Problems with environment variables name this instead of a file. */
    static final String ENVIRONMENT_SOURCE = "environment";

    private final Path configFile;
    private final Map<String, String> environment;
    private final Supplier<String> hostName;
    private final ProblemCollector problems;

    RuntimeConfigBinder(Path configFile, Map<String, String> environment, Supplier<String> hostName,
            ProblemCollector problems) {
        this.configFile = configFile.toAbsolutePath();
        this.environment = environment;
        this.hostName = hostName;
        this.problems = problems;
    }

    /** Always returns a config; it is only meaningful when {@code problems} stayed empty. */
    RuntimeConfig bind(ConfigNode root) {
        MappingReader m = MappingReader.of(root, "", TOP_KEYS, problems);
        String runtimeId = override(RuntimeConfigLoader.ENV_RUNTIME_ID, m.string("runtimeId", ""));
        if (runtimeId.isBlank()) {
            runtimeId = hostName.get();
        }
        return new RuntimeConfig(configFile, runtimeId,
                override(RuntimeConfigLoader.ENV_CONTROL_PLANE_URL, m.string("controlPlaneURL", "")),
                registryUrl(m, override(RuntimeConfigLoader.ENV_PLUGIN_REGISTRY_URL, m.string("pluginRegistryURL", ""))),
                override(RuntimeConfigLoader.ENV_EVENT_BUS_URL, m.string("eventBusURL", "")),
                directory(m, "pluginsDir", "plugins"),
                directory(m, "assessmentsDir", "assessments"),
                logFormat(m),
                pluginHost(m.child("pluginHost", PLUGIN_HOST_KEYS)),
                execution(m.child("execution", EXECUTION_KEYS)),
                nats(m.child("nats", NATS_KEYS)),
                plugins(m),
                timeZone(m));
    }

    /** {@code timeZone} (or AR_TIME_ZONE): an IANA zone id such as Europe/Berlin or UTC; default the host's zone. */
    private ZoneId timeZone(MappingReader m) {
        String text = override(RuntimeConfigLoader.ENV_TIME_ZONE, m.string("timeZone", ""));
        if (text.isBlank()) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(text.trim());
        } catch (DateTimeException e) {
            problems.add(m.positionOf("timeZone"), m.path("timeZone"),
                    "not a time zone: \"" + text + "\" (use an IANA zone id such as UTC or Europe/Berlin)");
            return ZoneId.systemDefault();
        }
    }

    /** Empty (no registry) or an absolute URL with a scheme the downloader reads. */
    private String registryUrl(MappingReader m, String url) {
        if (url.isBlank()) {
            return url;
        }
        String problem = null;
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!PackageSources.SCHEMES.contains(scheme)) {
                problem = "unsupported scheme in \"" + url + "\" (use http:// or https:// for a static registry, oci:// for an OCI registry)";
            } else if (uri.getHost() == null) {
                problem = "no host in \"" + url + "\"";
            }
        } catch (URISyntaxException e) {
            problem = "not a URL: " + e.getMessage();
        }
        if (problem != null) {
            problems.add(m.positionOf("pluginRegistryURL"), m.path("pluginRegistryURL"), problem);
        }
        return url;
    }

    /** A set, non-empty variable wins; an empty one is treated as unset (compose files often leave them empty). */
    private String override(String variable, String fileValue) {
        String value = environment.get(variable);
        return value == null || value.isEmpty() ? fileValue : value;
    }

    /** Relative paths resolve beside the config file, not the working directory, so a deployment can move as one. */
    private Path directory(MappingReader m, String key, String defaultName) {
        Path base = configFile.getParent();
        String text = m.string(key, "");
        if (text.isBlank()) {
            return base.resolve(defaultName);
        }
        try {
            return base.resolve(text).normalize();
        } catch (InvalidPathException e) {
            problems.add(m.positionOf(key), m.path(key), "not a valid path: " + e.getReason());
            return base.resolve(defaultName);
        }
    }

    private LogFormat logFormat(MappingReader m) {
        String fromFile = m.string("logFormat", "");
        LogFormat format = LogFormat.TEXT;
        if (!fromFile.isEmpty()) {
            Optional<LogFormat> parsed = LogFormat.fromConfigValue(fromFile);
            if (parsed.isEmpty()) {
                problems.add(m.positionOf("logFormat"), m.path("logFormat"), logFormatMessage(fromFile));
            }
            format = parsed.orElse(LogFormat.TEXT);
        }
        String fromEnv = environment.get(RuntimeConfigLoader.ENV_LOG_FORMAT);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            Optional<LogFormat> parsed = LogFormat.fromConfigValue(fromEnv);
            if (parsed.isEmpty()) {
                problems.add(new ConfigProblem(ENVIRONMENT_SOURCE, 0, 0, RuntimeConfigLoader.ENV_LOG_FORMAT,
                        logFormatMessage(fromEnv)));
            }
            format = parsed.orElse(format);
        }
        return format;
    }

    private static String logFormatMessage(String value) {
        return "must be \"text\" or \"json\", got \"" + value + "\"";
    }

    private static PluginHostSettings pluginHost(MappingReader h) {
        PluginHostSettings d = PluginHostSettings.DEFAULTS;
        Optional<List<String>> jvmOptions = h.has("jvmOptions") ? Optional.of(h.stringList("jvmOptions")) : Optional.empty();
        return new PluginHostSettings(jvmOptions,
                FieldChecks.duration(h, "startTimeout", d.startTimeout(), false),
                FieldChecks.duration(h, "callTimeout", d.callTimeout(), false),
                FieldChecks.duration(h, "stopTimeout", d.stopTimeout(), false),
                maxMessageSize(h, d.maxMessageSize()),
                bool(h, "autoMTLS", d.autoMTLS()),
                environment(h.child("environment", ENVIRONMENT_KEYS)));
    }

    private static boolean bool(MappingReader m, String key, boolean fallback) {
        String text = m.string(key, null);
        if (text == null) {
            return fallback;
        }
        switch (text.strip()) {
            case "true": return true;
            case "false": return false;
            default:
                m.problems().add(m.positionOf(key), m.path(key), "must be true or false, got \"" + text + "\"");
                return fallback;
        }
    }

    /**
     * {@code pluginHost.environment}: {@code inherit: all | none | [NAME, PREFIX_*]}, {@code set: {NAME: value}},
     * {@code packages: {<package name>: {inherit: [...], set: {...}}}}.
     */
    private static PluginEnvironment environment(MappingReader e) {
        boolean all = true;
        List<String> names = List.of();
        if (e.has("inherit")) {
            if (e.get("inherit") instanceof ConfigNode.Sequence) {
                all = false;
                names = patterns(e, "inherit", e.stringList("inherit"));
            } else {
                String mode = e.string("inherit", "all").strip();
                if (mode.equals("none")) {
                    all = false;
                } else if (!mode.equals("all")) {
                    e.problems().add(e.positionOf("inherit"), e.path("inherit"),
                            "must be all, none or a list of variable names and PREFIX_* patterns, got \"" + mode + "\"");
                }
            }
        }
        Map<String, String> set = e.stringMap("set");
        Map<String, PluginEnvironment.PackageExtras> packages = new java.util.LinkedHashMap<>();
        MappingReader pkgs = e.child("packages", null);
        for (String name : pkgs.keys()) {
            MappingReader p = pkgs.child(name, PACKAGE_ENVIRONMENT_KEYS);
            packages.put(name, new PluginEnvironment.PackageExtras(patterns(p, "inherit", p.stringList("inherit")),
                    p.stringMap("set")));
        }
        return new PluginEnvironment(all, names, set, packages);
    }

    private static List<String> patterns(MappingReader m, String key, List<String> values) {
        List<String> ok = new ArrayList<>();
        for (String v : values) {
            int star = v.indexOf('*');
            if (v.isEmpty() || v.equals("*") || (star >= 0 && star != v.length() - 1)) {
                m.problems().add(m.positionOf(key), m.path(key), "entry \"" + v
                        + "\" must be a variable name or a prefix ending in * (inherit: all passes everything)");
            } else {
                ok.add(v);
            }
        }
        return ok;
    }

    /** Same size syntax as nats.spoolMaxSize; gRPC counts message sizes in an int, hence the upper bound. */
    private static long maxMessageSize(MappingReader h, long fallback) {
        long size = FieldChecks.size(h, "maxMessageSize", fallback, PluginHostSettings.MIN_MAX_MESSAGE_SIZE);
        if (size > Integer.MAX_VALUE) {
            h.problems().add(h.positionOf("maxMessageSize"), h.path("maxMessageSize"), "must be at most "
                    + Integer.MAX_VALUE + " bytes (2GiB - 1, gRPC's limit), got \"" + h.string("maxMessageSize", "") + "\"");
            return fallback;
        }
        return size;
    }

    private static ExecutionSettings execution(MappingReader e) {
        ExecutionSettings d = ExecutionSettings.DEFAULTS;
        int concurrency = e.integer("concurrency", d.concurrency());
        if (concurrency < 1) {
            e.problems().add(e.positionOf("concurrency"), e.path("concurrency"),
                    "must be at least 1 (max concurrent Execute calls per run), got " + concurrency);
            concurrency = d.concurrency();
        }
        int maxConcurrentRuns = e.integer("maxConcurrentRuns", d.maxConcurrentRuns());
        if (maxConcurrentRuns < 1) {
            e.problems().add(e.positionOf("maxConcurrentRuns"), e.path("maxConcurrentRuns"),
                    "must be at least 1 (runs in flight on this runtime), got " + maxConcurrentRuns);
            maxConcurrentRuns = d.maxConcurrentRuns();
        }
        Duration runTimeout = FieldChecks.duration(e, "runTimeout", d.runTimeout(), false);
        return new ExecutionSettings(runTimeout, concurrency, FieldChecks.duration(e, "gracePeriod", d.gracePeriod(), true),
                maxConcurrentRuns);
    }

    private NatsSettings nats(MappingReader n) {
        NatsSettings d = NatsSettings.defaults(configFile.getParent());
        int replicas = n.integer("replicas", d.replicas());
        if (replicas < 1 || replicas > 5) {
            n.problems().add(n.positionOf("replicas"), n.path("replicas"), "must be 1..5 (stream replicas), got " + replicas);
            replicas = d.replicas();
        }
        int maxDeliver = n.integer("maxDeliver", d.maxDeliver());
        if (maxDeliver < 1) {
            n.problems().add(n.positionOf("maxDeliver"), n.path("maxDeliver"), "must be at least 1, got " + maxDeliver);
            maxDeliver = d.maxDeliver();
        }
        return new NatsSettings(n.string("resultsStream", d.resultsStream()), n.string("scheduleStream", d.scheduleStream()),
                replicas,
                FieldChecks.duration(n, "duplicateWindow", d.duplicateWindow(), false),
                FieldChecks.duration(n, "ackWait", d.ackWait(), false),
                maxDeliver,
                FieldChecks.duration(n, "misfireDeadline", d.misfireDeadline(), false),
                directory(n, "spoolDir", "spool"),
                FieldChecks.duration(n, "startWait", d.startWait(), true),
                FieldChecks.size(n, "spoolMaxSize", d.spoolMaxBytes(), NatsSettings.MIN_SPOOL_BYTES),
                FieldChecks.duration(n, "localFallbackAfter", d.localFallbackAfter(), true));
    }

    private List<PluginEntry> plugins(MappingReader m) {
        List<ConfigNode> nodes = m.list("plugins");
        List<PluginEntry> plugins = new ArrayList<>();
        Map<String, MappingReader> byName = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            MappingReader p = MappingReader.of(nodes.get(i), m.path("plugins") + "[" + i + "]", PLUGIN_KEYS, problems);
            String name = p.requiredString("name");
            String packageName = p.requiredString("package");
            FieldChecks.plainName(p, "package", packageName);
            String version = p.requiredString("version");
            FieldChecks.versionRequirement(p, "version", version);
            String schedule = p.requiredString("schedule");
            FieldChecks.cronSchedule(p, "schedule", schedule);
            if (!name.isBlank()) {
                MappingReader first = byName.putIfAbsent(name, p);
                if (first != null) {
                    problems.add(p.positionOf("name"), p.path("name"), "duplicate plugin name \"" + name
                            + "\" (also used by " + MappingReader.describeLocation(first.path(), first.positionOf("name"))
                            + "); each plugin entry becomes job plugin/<name>");
                }
            }
            plugins.add(new PluginEntry(name, packageName, version, schedule, p.stringMap("configuration")));
        }
        return plugins;
    }
}
