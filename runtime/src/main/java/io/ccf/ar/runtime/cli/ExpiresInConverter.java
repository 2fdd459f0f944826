package io.ccf.ar.runtime.cli;

import java.time.Duration;

import io.ccf.ar.runtime.schedule.GoDuration;
import picocli.CommandLine;

/** {@code --expires-in}: whole days ({@code 30d}) or a Go duration ({@code 720h}); must be positive. */
final class ExpiresInConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        Duration d;
        if (value.matches("[0-9]{1,5}d")) {
            d = Duration.ofDays(Long.parseLong(value.substring(0, value.length() - 1)));
        } else {
            try {
                d = GoDuration.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("--expires-in \"" + value
                        + "\": expected days (30d) or a duration (720h)");
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw new CommandLine.TypeConversionException("--expires-in \"" + value + "\": must be positive");
        }
        return d;
    }
}
