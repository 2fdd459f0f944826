package io.ccf.ar.runtime.schedule;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Go's {@code time.ParseDuration}, ported from Go's time/format.go so that {@code @every} accepts exactly what the
 * Go daemon accepted: an optional sign, then one or more numbers each with an optional fraction and a unit, e.g.
 * {@code 300ms}, {@code -1.5h}, {@code 1h30m}, {@code 2h45m0.5s}. Units: {@code ns}, {@code us} (or {@code µs}),
 * {@code ms}, {@code s}, {@code m}, {@code h}; no days. A bare {@code 0} is allowed without a unit. The result is
 * whole nanoseconds and must fit Go's int64 (about ±292 years).
 */
public final class GoDuration {
    private static final String UNITS = "ns, us, µs, ms, s, m or h";
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final Map<String, Long> UNIT_NANOS = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "\u00b5s", 1_000L, // micro sign
            "\u03bcs", 1_000L, // Greek small letter mu
            "ms", 1_000_000L,
            "s", NANOS_PER_SECOND,
            "m", 60 * NANOS_PER_SECOND,
            "h", 3600 * NANOS_PER_SECOND);
    /** {@code 1<<63} as an unsigned 64-bit value, as Go's parser uses it. */
    private static final long TWO_POW_63 = Long.MIN_VALUE;

    private GoDuration() {
    }

    /**
     * Parses a Go duration string.
     *
     * @throws IllegalArgumentException naming the text and what is wrong, e.g.
     *                                  {@code invalid duration "90": missing unit (use ns, us, µs, ms, s, m or h)}
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "duration text");
        String s = text;
        long d = 0; // unsigned, as in Go
        boolean neg = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(text, text.isEmpty() ? "empty" : "no number after the sign");
        }
        while (!s.isEmpty()) {
            char c0 = s.charAt(0);
            if (!(c0 == '.' || isDigit(c0))) {
                throw invalid(text, "expected a number at \"" + s + "\"");
            }
            // [0-9]*
            int i = 0;
            long v = 0; // unsigned
            for (; i < s.length() && isDigit(s.charAt(i)); i++) {
                if (Long.compareUnsigned(v, Long.divideUnsigned(TWO_POW_63, 10)) > 0) {
                    throw tooLarge(text);
                }
                v = v * 10 + (s.charAt(i) - '0');
                if (Long.compareUnsigned(v, TWO_POW_63) > 0) {
                    throw tooLarge(text);
                }
            }
            boolean pre = i > 0;
            s = s.substring(i);
            // (\.[0-9]*)?
            boolean post = false;
            long f = 0; // unsigned
            double scale = 1;
            if (!s.isEmpty() && s.charAt(0) == '.') {
                s = s.substring(1);
                boolean overflow = false;
                int j = 0;
                for (; j < s.length() && isDigit(s.charAt(j)); j++) {
                    if (overflow) {
                        continue;
                    }
                    if (Long.compareUnsigned(f, Long.MAX_VALUE / 10) > 0) {
                        overflow = true; // Go stops adding precision rather than failing
                        continue;
                    }
                    long y = f * 10 + (s.charAt(j) - '0');
                    if (Long.compareUnsigned(y, TWO_POW_63) > 0) {
                        overflow = true;
                        continue;
                    }
                    f = y;
                    scale *= 10;
                }
                post = j > 0;
                s = s.substring(j);
            }
            if (!pre && !post) {
                throw invalid(text, "a '.' needs digits next to it");
            }
            // unit: everything up to the next '.' or digit
            int u = 0;
            while (u < s.length() && s.charAt(u) != '.' && !isDigit(s.charAt(u))) {
                u++;
            }
            if (u == 0) {
                throw invalid(text, "missing unit (use " + UNITS + ")");
            }
            String unitName = s.substring(0, u);
            s = s.substring(u);
            Long unit = UNIT_NANOS.get(unitName);
            if (unit == null) {
                throw invalid(text, "unknown unit \"" + unitName + "\" (use " + UNITS + ")");
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(TWO_POW_63, unit)) > 0) {
                throw tooLarge(text);
            }
            v *= unit;
            if (f != 0) {
                // As Go: float64 arithmetic, accurate to the nanosecond for fractions of hours.
                v += (long) (unsignedToDouble(f) * ((double) unit / scale));
                if (Long.compareUnsigned(v, TWO_POW_63) > 0) {
                    throw tooLarge(text);
                }
            }
            d += v;
            if (Long.compareUnsigned(d, TWO_POW_63) > 0) {
                throw tooLarge(text);
            }
        }
        if (neg) {
            return Duration.ofNanos(-d);
        }
        if (Long.compareUnsigned(d, Long.MAX_VALUE) > 0) {
            throw tooLarge(text);
        }
        return Duration.ofNanos(d);
    }

    /** Go's float64(x) for a uint64 x. */
    private static double unsignedToDouble(long x) {
        return x >= 0 ? (double) x : (double) (x >>> 1) * 2.0 + (x & 1);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException tooLarge(String text) {
        return invalid(text, "too large (the limit is 2562047h47m16.854775807s)");
    }

    private static IllegalArgumentException invalid(String text, String problem) {
        return new IllegalArgumentException("invalid duration \"" + text + "\": " + problem);
    }
}
