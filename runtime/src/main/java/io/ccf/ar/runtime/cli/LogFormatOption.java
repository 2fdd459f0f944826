package io.ccf.ar.runtime.cli;

import java.util.Map;

import io.ccf.ar.runtime.app.LogSetup;
import io.ccf.ar.runtime.config.LogFormat;
import io.ccf.ar.runtime.config.RuntimeConfigLoader;
import picocli.CommandLine.Option;

/** {@code --log-format} for commands that read no config file (publish, serve-registry). */
final class LogFormatOption {
    @Option(names = "--log-format", paramLabel = "text|json",
            description = "Log format on stderr (default: $AR_LOG_FORMAT, else text).")
    String logFormat;

    /** Applies the flag, else AR_LOG_FORMAT; text when neither is set. */
    void apply(Map<String, String> env) {
        String value = logFormat != null ? logFormat : env.get(RuntimeConfigLoader.ENV_LOG_FORMAT);
        if (value == null || value.isBlank()) {
            return;
        }
        String source = logFormat != null ? "--log-format" : RuntimeConfigLoader.ENV_LOG_FORMAT;
        LogSetup.apply(LogFormat.fromConfigValue(value).orElseThrow(() ->
                new IllegalArgumentException(source + " must be text or json, not \"" + value + "\"")));
    }
}
