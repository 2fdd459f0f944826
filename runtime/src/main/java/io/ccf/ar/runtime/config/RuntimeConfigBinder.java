package io.ccf.ar.runtime.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
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
import io.ccf.ar.runtime.schedule.GoDuration;

/** Binds and validates the config.yml tree; environment overrides are applied on top. */
final class RuntimeConfigBinder {
    static final List<String> TOP_KEYS = List.of("runtimeId", "controlPlaneURL", "pluginRegistryURL", "eventBusURL",
            "pluginsDir", "assessmentsDir", "logFormat", "timeZone", "pluginHost", "execution", "nats", "plugins", "plans",
            "registry", "heartbeatInterval", "metrics");
    static final List<String> PLUGIN_HOST_KEYS = List.of("jvmOptions", "startTimeout", "callTimeout", "stopTimeout",
            "maxMessageSize", "autoMTLS", "environment", "java");
    static final List<String> ENVIRONMENT_KEYS = List.of("inherit", "set", "packages");
    static final List<String> PACKAGE_ENVIRONMENT_KEYS = List.of("inherit", "set");
    static final List<String> EXECUTION_KEYS = List.of("runTimeout", "concurrency", "gracePeriod", "maxConcurrentRuns");
    static final List<String> NATS_KEYS = List.of("resultsStream", "scheduleStream", "replicas", "duplicateWindow",
            "ackWait", "maxDeliver", "misfireDeadline", "spoolDir", "startWait", "spoolMaxSize",
            "localFallbackAfter", "credentialsFile", "nkeyFile", "user", "passwordFile", "tokenFile", "tls", "inboxPrefix");
    static final List<String> NATS_TLS_KEYS = List.of("caFile", "certFile", "keyFile", "serverName");
    static final List<String> PLANS_KEYS = List.of("events", "requests", "allowedPackages");
    static final List<String> REGISTRY_KEYS = List.of("dockerConfig", "username", "passwordFile", "tokenFile",
            "trustedKeys");
    static final List<String> METRICS_KEYS = List.of("listen");
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
        String eventBusUrl = override(RuntimeConfigLoader.ENV_EVENT_BUS_URL, m.string("eventBusURL", ""));
        return new RuntimeConfig(configFile, runtimeId,
                override(RuntimeConfigLoader.ENV_CONTROL_PLANE_URL, m.string("controlPlaneURL", "")),
                registryUrl(m, override(RuntimeConfigLoader.ENV_PLUGIN_REGISTRY_URL, m.string("pluginRegistryURL", ""))),
                eventBusUrl,
                directory(m, "pluginsDir", "plugins"),
                directory(m, "assessmentsDir", "assessments"),
                logFormat(m),
                pluginHost(m.child("pluginHost", PLUGIN_HOST_KEYS)),
                execution(m.child("execution", EXECUTION_KEYS)),
                nats(m.child("nats", NATS_KEYS), m, eventBusUrl),
                plugins(m),
                timeZone(m),
                plans(m.child("plans", PLANS_KEYS)),
                RegistrySettingsBinder.bind(m.child("registry", REGISTRY_KEYS), configFile.getParent()),
                heartbeatInterval(m),
                metrics(m.child("metrics", METRICS_KEYS)));
    }

    /** {@code heartbeatInterval} (or AR_HEARTBEAT_INTERVAL): a Go duration, zero or positive; 0 = no heartbeats. */
    private Duration heartbeatInterval(MappingReader m) {
        Duration fromFile = FieldChecks.duration(m, "heartbeatInterval", RuntimeConfig.DEFAULT_HEARTBEAT_INTERVAL, true);
        String fromEnv = environment.get(RuntimeConfigLoader.ENV_HEARTBEAT_INTERVAL);
        if (fromEnv == null || fromEnv.isEmpty()) {
            return fromFile;
        }
        try {
            Duration value = GoDuration.parse(fromEnv.trim());
            if (!value.isNegative()) {
                return value;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        problems.add(new ConfigProblem(ENVIRONMENT_SOURCE, 0, 0, RuntimeConfigLoader.ENV_HEARTBEAT_INTERVAL,
                "must be a zero or positive duration in Go syntax such as 15s or 1m (0 turns heartbeats off), got \""
                        + fromEnv + "\""));
        return fromFile;
    }

    /**
     * {@code metrics.listen} (or AR_METRICS_LISTEN, where an empty value also turns it off): HOST:PORT of /metrics,
     * /healthz and /readyz; default {@value MetricsSettings#DEFAULT_LISTEN}; empty: off.
     */
    private MetricsSettings metrics(MappingReader m) {
        String fromEnv = environment.get(RuntimeConfigLoader.ENV_METRICS_LISTEN);
        if (fromEnv != null) {
            try {
                return MetricsSettings.parse(fromEnv);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(ENVIRONMENT_SOURCE, 0, 0, RuntimeConfigLoader.ENV_METRICS_LISTEN,
                        e.getMessage()));
                return MetricsSettings.DEFAULTS;
            }
        }
        if (!m.has("listen")) {
            return MetricsSettings.DEFAULTS;
        }
        try {
            return MetricsSettings.parse(m.string("listen", ""));
        } catch (IllegalArgumentException e) {
            problems.add(m.positionOf("listen"), m.path("listen"), e.getMessage());
            return MetricsSettings.DEFAULTS;
        }
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

    private PluginHostSettings pluginHost(MappingReader h) {
        PluginHostSettings d = PluginHostSettings.DEFAULTS;
        Optional<List<String>> jvmOptions = h.has("jvmOptions") ? Optional.of(h.stringList("jvmOptions")) : Optional.empty();
        return new PluginHostSettings(jvmOptions,
                FieldChecks.duration(h, "startTimeout", d.startTimeout(), false),
                FieldChecks.duration(h, "callTimeout", d.callTimeout(), false),
                FieldChecks.duration(h, "stopTimeout", d.stopTimeout(), false),
                maxMessageSize(h, d.maxMessageSize()),
                bool(h, "autoMTLS", d.autoMTLS()),
                environment(h.child("environment", ENVIRONMENT_KEYS)),
                Optional.ofNullable(executableFile(h, "java")));
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

    private NatsSettings nats(MappingReader n, MappingReader top, String eventBusUrl) {
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
                FieldChecks.duration(n, "localFallbackAfter", d.localFallbackAfter(), true),
                natsAuth(n, top, eventBusUrl).withInboxPrefix(inboxPrefix(n)));
    }

    /**
     * {@code nats.credentialsFile | nkeyFile | user + passwordFile | tokenFile} (at most one; {@code AR_NATS_PASSWORD}
     * and {@code AR_NATS_TOKEN} stand in for the files) and {@code nats.tls}. Files must exist and be readable now;
     * PEM files must parse. Secrets are not read here (files are read at each connect).
     */
    /** {@code nats.inboxPrefix}, or null (jnats' {@code _INBOX}) when not set or not usable (reported). */
    private String inboxPrefix(MappingReader n) {
        if (!n.has("inboxPrefix")) {
            return null;
        }
        String prefix = n.string("inboxPrefix", "").trim();
        String problem = NatsAuthSettings.inboxPrefixProblem(prefix);
        if (problem != null) {
            problems.add(n.positionOf("inboxPrefix"), n.path("inboxPrefix"), problem);
            return null;
        }
        return prefix;
    }

    private NatsAuthSettings natsAuth(MappingReader n, MappingReader top, String eventBusUrl) {
        Path credentials = readableFile(n, "credentialsFile");
        Path nkey = readableFile(n, "nkeyFile");
        String user = n.string("user", "");
        Path passwordFile = readableFile(n, "passwordFile");
        Path tokenFile = readableFile(n, "tokenFile");
        String passwordEnv = environment.get(NatsAuthSettings.ENV_PASSWORD);
        String tokenEnv = environment.get(NatsAuthSettings.ENV_TOKEN);
        boolean passwordFromEnv = passwordEnv != null && !passwordEnv.isEmpty();
        boolean tokenFromEnv = tokenEnv != null && !tokenEnv.isEmpty();

        SecretSource password = null;
        if (n.has("passwordFile") && passwordFromEnv) {
            problems.add(n.positionOf("passwordFile"), n.path("passwordFile"), "set either nats.passwordFile or "
                    + NatsAuthSettings.ENV_PASSWORD + ", not both");
        } else if (passwordFile != null) {
            password = SecretSource.file("nats.passwordFile", passwordFile);
        } else if (passwordFromEnv) {
            password = SecretSource.environment(NatsAuthSettings.ENV_PASSWORD, passwordEnv);
        }
        if (!user.isBlank() && password == null && !n.has("passwordFile") && !passwordFromEnv) {
            problems.add(n.positionOf("user"), n.path("user"), "needs a password: set nats.passwordFile (a file holding"
                    + " it) or the environment variable " + NatsAuthSettings.ENV_PASSWORD);
        }
        if (user.isBlank() && n.has("passwordFile")) {
            problems.add(n.positionOf("passwordFile"), n.path("passwordFile"), "needs nats.user");
        } else if (user.isBlank() && passwordFromEnv) {
            problems.add(new ConfigProblem(ENVIRONMENT_SOURCE, 0, 0, NatsAuthSettings.ENV_PASSWORD,
                    "is set but nats.user is not (the password needs a user name)"));
        }
        SecretSource token = null;
        if (n.has("tokenFile") && tokenFromEnv) {
            problems.add(n.positionOf("tokenFile"), n.path("tokenFile"), "set either nats.tokenFile or "
                    + NatsAuthSettings.ENV_TOKEN + ", not both");
        } else if (tokenFile != null) {
            token = SecretSource.file("nats.tokenFile", tokenFile);
        } else if (tokenFromEnv) {
            token = SecretSource.environment(NatsAuthSettings.ENV_TOKEN, tokenEnv);
        }

        List<String> methods = new ArrayList<>();
        if (n.has("credentialsFile")) {
            methods.add("nats.credentialsFile");
        }
        if (n.has("nkeyFile")) {
            methods.add("nats.nkeyFile");
        }
        if (!user.isBlank() || n.has("passwordFile") || passwordFromEnv) {
            methods.add("nats.user/passwordFile");
        }
        if (n.has("tokenFile") || tokenFromEnv) {
            methods.add(n.has("tokenFile") ? "nats.tokenFile" : NatsAuthSettings.ENV_TOKEN);
        }
        if (hasUserInfo(eventBusUrl) && !methods.isEmpty()) {
            problems.add(top.positionOf("eventBusURL"), top.path("eventBusURL"), "carries a user name or password"
                    + " and " + methods.get(0) + " is set too: use one authentication method (better the setting:"
                    + " it keeps the secret out of config.yml)");
        }
        if (methods.size() > 1) {
            String second = methods.get(1).startsWith("nats.") ? methods.get(1).substring(5).replace("/passwordFile", "") : null;
            Position at = second != null && n.has(second) ? n.positionOf(second) : n.position();
            problems.add(at, n.path(), "more than one NATS authentication method: " + String.join(", ", methods)
                    + " (set one)");
            return NatsAuthSettings.NONE.withTls(natsTls(n.child("tls", NATS_TLS_KEYS)));
        }
        boolean userOk = !user.isBlank() && password != null;
        return new NatsAuthSettings(credentials, nkey, userOk ? user : null, userOk ? password : null,
                token, natsTls(n.child("tls", NATS_TLS_KEYS)));
    }

    private NatsTlsSettings natsTls(MappingReader t) {
        Path ca = readableFile(t, "caFile");
        Path cert = readableFile(t, "certFile");
        Path key = readableFile(t, "keyFile");
        String serverName = t.string("serverName", "").trim();
        if (t.has("certFile") != t.has("keyFile")) {
            String missing = t.has("certFile") ? "keyFile" : "certFile";
            String present = t.has("certFile") ? "certFile" : "keyFile";
            problems.add(t.positionOf(present), t.path(present), "needs " + t.path(missing) + " too (the client"
                    + " certificate and its private key, for mutual TLS)");
            return null;
        }
        try {
            if (ca != null) {
                io.ccf.ar.runtime.messaging.Pem.certificates(ca);
            }
        } catch (IllegalArgumentException e) {
            problems.add(t.positionOf("caFile"), t.path("caFile"), e.getMessage());
        }
        try {
            if (cert != null) {
                io.ccf.ar.runtime.messaging.Pem.certificates(cert);
            }
        } catch (IllegalArgumentException e) {
            problems.add(t.positionOf("certFile"), t.path("certFile"), e.getMessage());
        }
        try {
            if (key != null) {
                io.ccf.ar.runtime.messaging.Pem.privateKey(key);
            }
        } catch (IllegalArgumentException e) {
            problems.add(t.positionOf("keyFile"), t.path("keyFile"), e.getMessage());
        }
        if (ca == null && cert == null && serverName.isEmpty()) {
            return null;
        }
        return cert != null && key == null || cert == null && key != null ? null
                : new NatsTlsSettings(ca, cert, key, serverName.isEmpty() ? null : serverName);
    }

    /** A file setting resolved beside the config file; null (after a problem naming the setting) when unusable. */
    private Path readableFile(MappingReader m, String key) {
        if (!m.has(key)) {
            return null;
        }
        String text = m.string(key, "");
        if (text.isBlank()) {
            problems.add(m.positionOf(key), m.path(key), "is empty (a file path)");
            return null;
        }
        Path file;
        try {
            file = configFile.getParent().resolve(text).normalize();
        } catch (InvalidPathException e) {
            problems.add(m.positionOf(key), m.path(key), "not a valid path: " + e.getReason());
            return null;
        }
        if (!Files.exists(file)) {
            problems.add(m.positionOf(key), m.path(key), "file not found: " + file);
            return null;
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            problems.add(m.positionOf(key), m.path(key), "not a readable file: " + file);
            return null;
        }
        return file;
    }

    /** A path (relative to the config file's directory) to an executable file, e.g. pluginHost.java. */
    private Path executableFile(MappingReader m, String key) {
        Path file = readableFile(m, key);
        if (file != null && !Files.isExecutable(file)) {
            problems.add(m.positionOf(key), m.path(key), "not executable: " + file + " (a java launcher, e.g."
                    + " /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)");
            return null;
        }
        return file;
    }

    private static boolean hasUserInfo(String urls) {
        for (String url : urls.split(",")) {
            int scheme = url.indexOf("://");
            int start = scheme < 0 ? 0 : scheme + 3;
            int slash = url.indexOf('/', start);
            int at = url.lastIndexOf('@', slash < 0 ? url.length() : slash);
            if (at >= start) {
                return true;
            }
        }
        return false;
    }

    /** {@code plans}: the switches and the allow-list of packages plan events and ad-hoc requests may name. */
    private static PlanPolicySettings plans(MappingReader p) {
        PlanPolicySettings d = PlanPolicySettings.DEFAULTS;
        Optional<List<String>> allowed = Optional.empty();
        if (p.has("allowedPackages")) {
            List<String> patterns = new ArrayList<>();
            for (String pattern : p.stringList("allowedPackages")) {
                if (PlanPolicySettings.PATTERN.matcher(pattern).matches()) {
                    patterns.add(pattern);
                } else {
                    p.problems().add(p.positionOf("allowedPackages"), p.path("allowedPackages"), "\"" + pattern
                            + "\" is not a package name or pattern (letters, digits, '.', '_', '+', '-', and '*' for"
                            + " any run of them, e.g. acme-*)");
                }
            }
            allowed = Optional.of(patterns);
        }
        return new PlanPolicySettings(bool(p, "events", d.events()), bool(p, "requests", d.requests()), allowed);
    }

    private static boolean bool(MappingReader m, String key, boolean fallback) {
        String text = m.string(key, "");
        if (text.isEmpty()) {
            return fallback;
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                m.problems().add(m.positionOf(key), m.path(key), "must be true or false, got \"" + text + "\"");
                yield fallback;
            }
        };
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
