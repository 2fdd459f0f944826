package io.ccf.ar.runtime.config;

import static io.ccf.ar.runtime.config.TestFiles.problemsOf;
import static io.ccf.ar.runtime.config.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.plugin.PluginEnvironment;

class RuntimeConfigLoaderTest {
    private static final String ALLOWED_PLUGIN_KEYS = "allowed keys: name, package, version, schedule, configuration";

    @TempDir
    Path dir;

    private final RuntimeConfigLoader loader = new RuntimeConfigLoader(Map.of(), () -> "test-host");

    private RuntimeConfig load(String yaml) {
        return loader.load(write(dir, "config.yml", yaml));
    }

    /** Problems of loading {@code yaml} as dir/config.yml, with the path prefix replaced by "config.yml". */
    private List<String> problems(String yaml) {
        Path file = write(dir, "config.yml", yaml);
        return problemsOf(() -> loader.load(file)).stream()
                .map(p -> p.replace(file.toString(), "config.yml"))
                .toList();
    }

    @Test
    void loadsEveryKey() {
        Path file = TestFiles.resource("full-config.yml");
        RuntimeConfig config = loader.load(file);

        assertEquals(file.toAbsolutePath(), config.configFile());
        assertEquals("runtime-42", config.runtimeId());
        assertEquals("http://control-plane:8080", config.controlPlaneURL());
        assertEquals("http://plugin-registry:9000", config.pluginRegistryURL());
        assertEquals("nats://nats:4222", config.eventBusURL());
        assertEquals(Path.of("/opt/ar/plugins"), config.pluginsDir());
        assertEquals(file.toAbsolutePath().getParent().resolve("plans"), config.assessmentsDir());
        assertEquals(LogFormat.JSON, config.logFormat());
        assertEquals(new PluginHostSettings(Optional.of(List.of("-Xmx64m", "-XX:+UseSerialGC")),
                Duration.ofSeconds(90), Duration.ofMinutes(2), Duration.ofMillis(500)), config.pluginHost());
        assertEquals(new ExecutionSettings(Duration.ofMinutes(10), 3, Duration.ofSeconds(90)), config.execution());
        assertEquals(List.of(
                new PluginEntry("ubuntu-ssh", "ssh-check", "1.2.0", "*/5 * * * *", Map.of(
                        "host", "10.0.0.5", "port", "22", "strict", "true", "ratio", "0.75",
                        "banner", "Welcome", "unset", "")),
                new PluginEntry("azure-storage", "azure_storage", "2.0.0-rc.1+build.7",
                        "CRON_TZ=Europe/London 0 3 * * *", Map.of())),
                config.plugins());
    }

    @Test
    void pluginHostJavaIsAnExecutableRelativeToTheConfigFile() throws Exception {
        assertEquals(Optional.empty(), load("runtimeId: x\n").pluginHost().java());
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        assertEquals(Optional.of(java), load("pluginHost: {java: \"" + java + "\"}\n").pluginHost().java());
        Path local = dir.resolve("jdk/bin/java");
        Files.createDirectories(local.getParent());
        Files.writeString(local, "#!/bin/sh\n");
        assertEquals(List.of("config.yml:1:20: pluginHost.java: not executable: " + local
                + " (a java launcher, e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)"),
                problems("pluginHost: {java: jdk/bin/java}\n"));
        assertTrue(local.toFile().setExecutable(true));
        assertEquals(Optional.of(local), load("pluginHost: {java: jdk/bin/java}\n").pluginHost().java());
        List<String> missing = problems("pluginHost: {java: /nowhere/bin/java}\n");
        assertTrue(missing.get(0).contains("pluginHost.java: file not found: /nowhere/bin/java"), missing.toString());
    }

    @Test
    void pluginHostAutoMtlsAndEnvironment() {
        PluginHostSettings defaults = load("runtimeId: x\n").pluginHost();
        assertTrue(defaults.autoMTLS());
        assertEquals(PluginEnvironment.INHERIT_ALL, defaults.environment());

        PluginHostSettings h = load("""
                pluginHost:
                  autoMTLS: false
                  environment:
                    inherit: [PATH, "LC_*"]
                    set: {HTTPS_PROXY: "http://proxy:3128"}
                    packages:
                      azure_storage: {inherit: [AZURE_CLIENT_ID], set: {AZURE_TENANT: t1}}
                """).pluginHost();
        assertEquals(false, h.autoMTLS());
        assertEquals(new PluginEnvironment(false, List.of("PATH", "LC_*"), Map.of("HTTPS_PROXY", "http://proxy:3128"),
                Map.of("azure_storage", new PluginEnvironment.PackageExtras(List.of("AZURE_CLIENT_ID"),
                        Map.of("AZURE_TENANT", "t1")))), h.environment());
        assertEquals(PluginEnvironment.INHERIT_NONE,
                load("pluginHost: {environment: {inherit: none}}\n").pluginHost().environment());

        List<String> problems = problems("""
                pluginHost:
                  autoMTLS: maybe
                  environment: {inherit: some, colour: red}
                """);
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("pluginHost.autoMTLS: must be true or false, got \"maybe\""), problems.toString());
        assertTrue(String.join("\n", problems).contains("pluginHost.environment.inherit: must be all, none or a list"),
                problems.toString());
        assertTrue(String.join("\n", problems).contains("colour"), problems.toString());
        assertTrue(problems("pluginHost: {environment: {inherit: [\"A*B\"]}}\n").get(0)
                .contains("must be a variable name or a prefix ending in *"));
    }

    @Test
    void scalarsKeepTheFormTheyWereWrittenIn() {
        // Composing nodes instead of constructing objects: 1.10 stays "1.10", not the float 1.1.
        PluginEntry plugin = load("""
                plugins:
                  - name: 007
                    package: p
                    version: 1.10
                    schedule: "*/5 * * * *"
                    configuration: {octal: 0o17, big: 12345678901234567890, answer: yes, exp: 1e3, tilde: ~}
                """).plugins().get(0);
        assertEquals("007", plugin.name());
        assertEquals("1.10", plugin.version());
        assertEquals(Map.of("octal", "0o17", "big", "12345678901234567890", "answer", "yes", "exp", "1e3",
                "tilde", ""), plugin.configuration());
    }

    @Test
    void emptyFileMeansAllDefaults() {
        RuntimeConfig config = load("# nothing configured\n");

        assertEquals("test-host", config.runtimeId());
        assertEquals("", config.controlPlaneURL());
        assertEquals("", config.pluginRegistryURL());
        assertEquals("", config.eventBusURL());
        assertEquals(dir.toAbsolutePath().resolve("plugins"), config.pluginsDir());
        assertEquals(dir.toAbsolutePath().resolve("assessments"), config.assessmentsDir());
        assertEquals(LogFormat.TEXT, config.logFormat());
        assertEquals(PluginHostSettings.DEFAULTS, config.pluginHost());
        assertEquals(Optional.empty(), config.pluginHost().jvmOptions());
        assertEquals(Duration.ofSeconds(60), config.pluginHost().startTimeout());
        assertEquals(Duration.ofSeconds(60), config.pluginHost().callTimeout());
        assertEquals(Duration.ofSeconds(2), config.pluginHost().stopTimeout());
        assertEquals(new ExecutionSettings(Duration.ofMinutes(5), 8, Duration.ofSeconds(30)), config.execution());
        assertEquals(List.of(), config.plugins());
    }

    @Test
    void nullAndEmptyValuesFallBackToDefaults() {
        RuntimeConfig config = load("""
                runtimeId: ""
                pluginHost:
                execution: {}
                plugins:
                pluginsDir: ""
                """);
        assertEquals("test-host", config.runtimeId());
        assertEquals(PluginHostSettings.DEFAULTS, config.pluginHost());
        assertEquals(ExecutionSettings.DEFAULTS, config.execution());
        assertEquals(List.of(), config.plugins());
        assertEquals(dir.toAbsolutePath().resolve("plugins"), config.pluginsDir());
    }

    @Test
    void explicitEmptyJvmOptionsMeansNoFlags() {
        RuntimeConfig config = load("pluginHost:\n  jvmOptions: []\n");
        assertEquals(Optional.of(List.of()), config.pluginHost().jvmOptions());
    }

    @Test
    void relativeDirectoriesResolveAgainstTheConfigFilesDirectory() {
        Path file = write(dir, "etc/ar/config.yml", """
                pluginsDir: ../../lib/plugins
                assessmentsDir: plans/active
                """);
        RuntimeConfig config = loader.load(file);
        Path base = dir.toAbsolutePath();
        assertEquals(base.resolve("lib/plugins"), config.pluginsDir());
        assertEquals(base.resolve("etc/ar/plans/active"), config.assessmentsDir());
    }

    @Test
    void environmentOverridesTheFile() {
        Path file = write(dir, "config.yml", """
                runtimeId: from-file
                controlPlaneURL: http://file-cp
                pluginRegistryURL: http://file-registry
                eventBusURL: nats://file:4222
                logFormat: text
                """);
        RuntimeConfig config = new RuntimeConfigLoader(Map.of(
                "AR_RUNTIME_ID", "from-env",
                "AR_CONTROL_PLANE_URL", "http://env-cp",
                "AR_PLUGIN_REGISTRY_URL", "http://env-registry",
                "AR_EVENT_BUS_URL", "nats://env:4222",
                "AR_LOG_FORMAT", "json"), () -> "unused").load(file);

        assertEquals("from-env", config.runtimeId());
        assertEquals("http://env-cp", config.controlPlaneURL());
        assertEquals("http://env-registry", config.pluginRegistryURL());
        assertEquals("nats://env:4222", config.eventBusURL());
        assertEquals(LogFormat.JSON, config.logFormat());
    }

    @Test
    void emptyEnvironmentVariablesAreIgnored() {
        Path file = write(dir, "config.yml", "runtimeId: from-file\neventBusURL: nats://file:4222\n");
        RuntimeConfig config = new RuntimeConfigLoader(Map.of("AR_RUNTIME_ID", "", "AR_EVENT_BUS_URL", ""),
                () -> "unused").load(file);
        assertEquals("from-file", config.runtimeId());
        assertEquals("nats://file:4222", config.eventBusURL());
    }

    @Test
    void badLogFormatInTheEnvironmentNamesTheVariable() {
        Path file = write(dir, "config.yml", "");
        List<String> problems = problemsOf(() ->
                new RuntimeConfigLoader(Map.of("AR_LOG_FORMAT", "xml"), () -> "h").load(file));
        assertEquals(List.of("environment: AR_LOG_FORMAT: must be \"text\" or \"json\", got \"xml\""), problems);
    }

    @Test
    void heartbeatIntervalDefaultsToFifteenSecondsAndZeroTurnsItOff() {
        assertEquals(Duration.ofSeconds(15), load("runtimeId: x\n").heartbeatInterval());
        assertEquals(Duration.ofMillis(2500), load("heartbeatInterval: 2.5s\n").heartbeatInterval());
        assertEquals(Duration.ZERO, load("heartbeatInterval: 0\n").heartbeatInterval());
        Path file = write(dir, "config.yml", "heartbeatInterval: 1m\n");
        assertEquals(Duration.ofSeconds(5), new RuntimeConfigLoader(Map.of("AR_HEARTBEAT_INTERVAL", "5s"), () -> "h")
                .load(file).heartbeatInterval());
    }

    @Test
    void badHeartbeatIntervalNamesTheLineOrTheVariable() {
        assertEquals(List.of("config.yml:2:20: heartbeatInterval: must be zero or positive, got \"-1s\""),
                problems("runtimeId: x\nheartbeatInterval: -1s\n"));
        assertTrue(problems("heartbeatInterval: often\n").get(0)
                .startsWith("config.yml:1:20: heartbeatInterval: invalid duration \"often\""), problems("heartbeatInterval: often\n").toString());
        Path file = write(dir, "config.yml", "");
        assertEquals(List.of("environment: AR_HEARTBEAT_INTERVAL: must be a zero or positive duration in Go syntax such as"
                + " 15s or 1m (0 turns heartbeats off), got \"soon\""),
                problemsOf(() -> new RuntimeConfigLoader(Map.of("AR_HEARTBEAT_INTERVAL", "soon"), () -> "h").load(file)));
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("absent.yml");
        assertEquals(List.of(file + ": file not found"), problemsOf(() -> loader.load(file)));
    }

    @Test
    void yamlSyntaxErrorHasLineAndColumn() {
        assertEquals(List.of("config.yml:4:4: expected <block end>, but found '<block mapping start>'"
                + " (while parsing a block collection started at line 3)"), problems("""
                runtimeId: x
                plugins:
                  - name: a
                   package: b
                """));
    }

    @Test
    void unterminatedQuoteIsASyntaxError() {
        assertEquals(List.of("config.yml:2:1: found unexpected end of stream"
                + " (while scanning a quoted scalar started at line 1)"), problems("runtimeId: \"abc\n"));
    }

    @Test
    void unknownKeySuggestsTheIntendedOne() {
        assertEquals(List.of(
                "config.yml:2:5: plugins[0].schedule: is required",
                "config.yml:5:5: plugins[0].schedules: unknown key \"schedules\" (did you mean \"schedule\"?); "
                        + ALLOWED_PLUGIN_KEYS), problems("""
                plugins:
                  - name: a
                    package: p
                    version: 1.0.0
                    schedules: "*/5 * * * *"
                """));
    }

    @Test
    void unknownTopLevelKeyListsAllowedKeys() {
        assertEquals(List.of("config.yml:2:1: colour: unknown key \"colour\"; allowed keys: runtimeId, "
                + "controlPlaneURL, pluginRegistryURL, eventBusURL, pluginsDir, assessmentsDir, logFormat, "
                + "timeZone, pluginHost, execution, nats, plugins, plans, registry, heartbeatInterval, metrics"), problems("runtimeId: x\ncolour: blue\n"));
    }

    @Test
    void aTimeZoneThatDoesNotExistIsReportedWithItsLine() {
        assertEquals(List.of("config.yml:2:11: timeZone: not a time zone: \"Mars/Olympus\" (use an IANA zone id such as"
                + " UTC or Europe/Berlin)"), problems("runtimeId: x\ntimeZone: Mars/Olympus\n"));
        assertEquals(List.of("config.yml:2:32: execution.maxConcurrentRuns: must be at least 1 (runs in flight on this"
                + " runtime), got 0"), problems("runtimeId: x\nexecution: {maxConcurrentRuns: 0}\n"));
    }

    @Test
    void keyWithWrongCaseIsCaughtAsTypo() {
        assertEquals(List.of("config.yml:1:1: runtimeID: unknown key \"runtimeID\" (did you mean \"runtimeId\"?); "
                + "allowed keys: runtimeId, controlPlaneURL, pluginRegistryURL, eventBusURL, pluginsDir, "
                + "assessmentsDir, logFormat, timeZone, pluginHost, execution, nats, plugins, plans, registry, heartbeatInterval, metrics"), problems("runtimeID: x\n"));
    }

    @Test
    void duplicateKey() {
        assertEquals(List.of("config.yml:3:1: runtimeId: duplicate key \"runtimeId\" (first at line 1)"),
                problems("runtimeId: a\nlogFormat: json\nruntimeId: b\n"));
    }

    @Test
    void wrongTypes() {
        assertEquals(List.of(
                "config.yml:2:3: pluginHost: expected a mapping, got a list",
                "config.yml:4:16: execution.concurrency: expected a plain value (string, number or boolean), got a list",
                "config.yml:6:3: plugins: expected a list, got a mapping"), problems("""
                pluginHost:
                  - jvmOptions: []
                execution:
                  concurrency: [1]
                plugins:
                  name: a
                """));
    }

    @Test
    void documentThatIsNotAMapping() {
        assertEquals(List.of("config.yml:1:1: expected a mapping, got a list"), problems("- a\n- b\n"));
    }

    @Test
    void nestedConfigurationValueIsRejected() {
        assertEquals(List.of("config.yml:7:14: plugins[0].configuration.hosts: expected a plain value "
                + "(string, number or boolean), got a list"), problems("""
                plugins:
                  - name: a
                    package: p
                    version: 1.0.0
                    schedule: "*/5 * * * *"
                    configuration:
                      hosts: [a, b]
                """));
    }

    @Test
    void missingRequiredPluginFields() {
        assertEquals(List.of(
                "config.yml:2:5: plugins[0].package: is required",
                "config.yml:2:5: plugins[0].version: is required",
                "config.yml:2:5: plugins[0].schedule: is required",
                "config.yml:3:5: plugins[1].name: is required",
                "config.yml:5:15: plugins[1].schedule: must not be empty"), problems("""
                plugins:
                  - name: only-a-name
                  - package: p
                    version: 1.0.0
                    schedule: ""
                """));
    }

    @Test
    void pluginThatIsNotAMappingIsReportedOnce() {
        assertEquals(List.of("config.yml:2:5: plugins[0]: expected a mapping, got a plain value"),
                problems("plugins:\n  - just-a-name\n"));
    }

    @Test
    void badCronExpression() {
        List<String> problems = problems("""
                plugins:
                  - name: a
                    package: p
                    version: 1.0.0
                    schedule: every day
                """);
        assertEquals(1, problems.size(), problems::toString);
        String prefix = "config.yml:5:15: plugins[0].schedule: invalid cron expression \"every day\"";
        assertTrue(problems.get(0).startsWith(prefix), problems.get(0));
    }

    @Test
    void natsSectionTakesDurationsAndSizes() {
        RuntimeConfig config = load("""
                nats:
                  startWait: 500ms
                  spoolMaxSize: 2GiB
                """);
        assertEquals(java.time.Duration.ofMillis(500), config.nats().startWait());
        assertEquals(2L << 30, config.nats().spoolMaxBytes());
        assertEquals(100_000_000L, load("nats:\n  spoolMaxSize: 100MB\n").nats().spoolMaxBytes());
        assertEquals(NatsSettings.DEFAULT_SPOOL_MAX_BYTES, load("runtimeId: x\n").nats().spoolMaxBytes());
        assertEquals(List.of("config.yml:2:17: nats.spoolMaxSize: invalid size \"lots\" (use a number of bytes with an optional"
                + " unit: B, KB, KiB, MB, MiB, GB, GiB, TB, TiB)"), problems("nats:\n  spoolMaxSize: lots\n"));
        assertEquals(List.of("config.yml:2:17: nats.spoolMaxSize: must be at least 1048576 bytes, got \"10KB\""),
                problems("nats:\n  spoolMaxSize: 10KB\n"));
    }

    @Test
    void packageAndVersionMustBePlainNames() {
        String rule = " is not a plain name (use letters, digits, '.', '_', '+', '-'; no '/' or '..')";
        String versionRule = " is neither a plain version (letters, digits, '.', '_', '+', '-'; no '/' or '..'),"
                + " a pinned one (1.0.0@sha256:<hex>) nor a range (^1.2, ~1.2.3, >=1.0 <2.0, latest)";
        assertEquals(List.of(
                "config.yml:3:14: plugins[0].package: \"../evil\"" + rule,
                "config.yml:4:14: plugins[0].version: version \"1.0/x\"" + versionRule,
                "config.yml:7:14: plugins[1].package: \"org/pkg\"" + rule,
                "config.yml:8:14: plugins[1].version: version \"1..0\"" + versionRule), problems("""
                plugins:
                  - name: a
                    package: ../evil
                    version: 1.0/x
                    schedule: "*/5 * * * *"
                  - name: b
                    package: org/pkg
                    version: 1..0
                    schedule: "*/5 * * * *"
                """));
    }

    @Test
    void duplicatePluginNames() {
        assertEquals(List.of("config.yml:6:11: plugins[1].name: duplicate plugin name \"ssh\" "
                + "(also used by plugins[0] at line 2); each plugin entry becomes job plugin/<name>"), problems("""
                plugins:
                  - name: ssh
                    package: p
                    version: 1.0.0
                    schedule: "*/5 * * * *"
                  - name: ssh
                    package: q
                    version: 2.0.0
                    schedule: "*/10 * * * *"
                """));
    }

    @Test
    void badDurations() {
        List<String> problems = problems("""
                pluginHost:
                  startTimeout: 5x
                  callTimeout: 0s
                execution:
                  runTimeout: "90"
                  gracePeriod: 0s
                """);
        assertEquals(3, problems.size(), problems::toString);
        assertTrue(problems.get(0).startsWith("config.yml:2:17: pluginHost.startTimeout: invalid duration \"5x\": "),
                problems.get(0));
        assertTrue(problems.get(0).endsWith(" (use Go syntax such as 30s, 1m30s, 500ms)"), problems.get(0));
        assertEquals("config.yml:3:16: pluginHost.callTimeout: must be positive, got \"0s\"", problems.get(1));
        assertTrue(problems.get(2).startsWith("config.yml:5:15: execution.runTimeout: invalid duration \"90\": "),
                problems.get(2));
    }

    @Test
    void zeroGracePeriodIsAllowed() {
        assertEquals(Duration.ZERO, load("execution:\n  gracePeriod: 0s\n").execution().gracePeriod());
    }

    @Test
    void concurrencyMustBeAtLeastOne() {
        assertEquals(List.of(
                "config.yml:2:16: execution.concurrency: must be at least 1 (max concurrent Execute calls per run), got 0"),
                problems("execution:\n  concurrency: 0\n"));
        assertEquals(List.of("config.yml:2:16: execution.concurrency: must be a whole number, got \"many\""),
                problems("execution:\n  concurrency: many\n"));
    }

    @Test
    void logFormatMustBeTextOrJson() {
        assertEquals(List.of("config.yml:1:12: logFormat: must be \"text\" or \"json\", got \"xml\""),
                problems("logFormat: xml\n"));
    }

    @Test
    void reportsEveryProblemAtOnceInLineOrder() {
        Path file = write(dir, "config.yml", """
                logFormat: yaml
                execution:
                  concurrency: -2
                plugins:
                  - name: a
                    package: p
                    version: 1.0.0
                    schedule: "*/5 * * * *"
                    configration: {x: 1}
                extra: true
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(file));
        List<String> expected = List.of(
                file + ":1:12: logFormat: must be \"text\" or \"json\", got \"yaml\"",
                file + ":3:16: execution.concurrency: must be at least 1 (max concurrent Execute calls per run), got -2",
                file + ":9:5: plugins[0].configration: unknown key \"configration\" (did you mean \"configuration\"?); "
                        + ALLOWED_PLUGIN_KEYS,
                file + ":10:1: extra: unknown key \"extra\"; allowed keys: runtimeId, controlPlaneURL, "
                        + "pluginRegistryURL, eventBusURL, pluginsDir, assessmentsDir, logFormat, timeZone, pluginHost, "
                        + "execution, nats, plugins, plans, registry, heartbeatInterval, metrics");
        assertEquals(expected, e.problems().stream().map(ConfigProblem::toString).toList());
        assertEquals(String.join("\n", expected), e.getMessage());
        assertEquals(new ConfigProblem(file.toString(), 1, 12, "logFormat", "must be \"text\" or \"json\", got \"yaml\""),
                e.problems().get(0));
    }
}
