package io.ccf.ar.runtime.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.ccf.ar.runtime.app.LoadedRuntime;
import io.ccf.ar.runtime.app.LogSetup;
import io.ccf.ar.runtime.config.LogFormat;
import picocli.CommandLine.Option;

/** Options every command takes: which config file, which log format. */
final class CommonOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Config file. Default: $AR_CONFIG, else ./config.yml, else config.yml beside the ar launcher.")
    Path config;

    @Option(names = "--log-format", paramLabel = "text|json",
            description = "Log format on stderr (overrides logFormat in the config and AR_LOG_FORMAT).")
    String logFormat;

    Path configFile(Map<String, String> env) {
        if (config != null) {
            return config;
        }
        String fromEnv = env.get("AR_CONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        Path local = Path.of("config.yml");
        String home = env.get("AR_HOME");
        if (!Files.exists(local) && home != null && Files.exists(Path.of(home, "config.yml"))) {
            return Path.of(home, "config.yml");
        }
        return local;
    }

    /** Loads config and plans, then applies the log format (flag, else config/env). */
    LoadedRuntime load(Map<String, String> env) {
        LogFormat flag = flagFormat();
        if (flag != null) {
            LogSetup.apply(flag);
        }
        LoadedRuntime runtime = LoadedRuntime.load(configFile(env), env);
        if (flag == null) {
            LogSetup.apply(runtime.config().logFormat());
        }
        return runtime;
    }

    private LogFormat flagFormat() {
        if (logFormat == null) {
            return null;
        }
        return LogFormat.fromConfigValue(logFormat).orElseThrow(() ->
                new IllegalArgumentException("--log-format must be text or json, not \"" + logFormat + "\""));
    }
}
