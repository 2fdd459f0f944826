package io.ccf.ar.runtime.config;

import java.util.Optional;

/** How the runtime writes its own log lines. */
public enum LogFormat {
    TEXT("text"),
    JSON("json");

    private final String configValue;

    LogFormat(String configValue) {
        this.configValue = configValue;
    }

    /** The spelling used in config.yml and AR_LOG_FORMAT. */
    public String configValue() {
        return configValue;
    }

    /** Exact, lower-case match only, so config files stay uniform. */
    public static Optional<LogFormat> fromConfigValue(String value) {
        for (LogFormat f : values()) {
            if (f.configValue.equals(value)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
