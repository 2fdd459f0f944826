package io.ccf.ar.runtime.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration source, located precisely enough to fix it:
 * {@code config.yml:12:5: plugins[0].schedule: invalid cron expression ...}.
 *
 * @param source  the file path as given, or a label such as {@code NATS runtime.configuration}
 * @param line    1-based line, or 0 when unknown (then column is 0 too)
 * @param column  1-based column, or 0 when unknown
 * @param field   path of the offending field, e.g. {@code tasks[1].activities[0].provider.version};
 *                empty when the problem is not about one field (a YAML syntax error)
 * @param message what is wrong, phrased so the user knows what to change
 */
public record ConfigProblem(String source, int line, int column, String field, String message) {
    public ConfigProblem {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
        field = field == null ? "" : field;
        if (line <= 0) {
            line = 0;
            column = 0;
        }
    }

    static ConfigProblem at(String source, Position position, String field, String message) {
        return new ConfigProblem(source, position.line(), position.column(), field, message);
    }

    public boolean hasPosition() {
        return line > 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(source);
        if (hasPosition()) {
            sb.append(':').append(line).append(':').append(column);
        }
        sb.append(": ");
        if (!field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(message).toString();
    }
}
