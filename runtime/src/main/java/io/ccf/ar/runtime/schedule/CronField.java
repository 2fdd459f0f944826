package io.ccf.ar.runtime.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The six fields of a cron expression and robfig/cron v3's syntax for one field (parser.go {@code getField},
 * {@code getRange}, {@code parseIntOrName}): a comma-separated list of {@code *}, {@code ?}, {@code N},
 * {@code N-M}, each optionally followed by {@code /step}; {@code N/step} means {@code N-max/step}.
 */
enum CronField {
    SECOND("second", 0, 59, List.of()),
    MINUTE("minute", 0, 59, List.of()),
    HOUR("hour", 0, 23, List.of()),
    DAY_OF_MONTH("day-of-month", 1, 31, List.of()),
    MONTH("month", 1, 12,
            List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    /** 0-6 with Sunday = 0; robfig does not accept 7. */
    DAY_OF_WEEK("day-of-week", 0, 6, List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat"));

    /** Thrown for a malformed field; the message says what is wrong, without the field's name. */
    static final class InvalidFieldException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidFieldException(String problem) {
            super(problem, null, false, false);
        }
    }

    private final String label;
    private final int min;
    private final int max;
    /** Lower-case names of min, min+1, ... (empty when the field has no names). */
    private final List<String> names;

    CronField(String label, int min, int max, List<String> names) {
        this.label = label;
        this.min = min;
        this.max = max;
        this.names = names;
    }

    /** The field's name in messages, e.g. {@code day-of-month}. */
    String label() {
        return label;
    }

    /** Every value of the field, plus the star bit: what {@code *} parses to (robfig's {@code all}). */
    long all() {
        return bits(min, max, 1) | SpecSchedule.STAR_BIT;
    }

    /** Only the field's smallest value (robfig's {@code 1 << r.min}), as the descriptors use it. */
    long first() {
        return 1L << min;
    }

    /** The field's bits: the union of its comma-separated parts; empty parts are skipped, as in robfig. */
    long parse(String field) throws InvalidFieldException {
        long bits = 0;
        for (String part : field.split(",")) {
            if (!part.isEmpty()) {
                bits |= parseRange(part);
            }
        }
        return bits;
    }

    /** One part: {@code * | ? | N | N-M}, optionally {@code /step}. Checks in robfig's order. */
    private long parseRange(String expr) throws InvalidFieldException {
        List<String> rangeAndStep = splitAll(expr, '/');
        List<String> lowAndHigh = splitAll(rangeAndStep.get(0), '-');
        boolean singleValue = lowAndHigh.size() == 1;

        long start;
        long end;
        long extra = 0;
        if (lowAndHigh.get(0).equals("*") || lowAndHigh.get(0).equals("?")) {
            start = min; // robfig ignores anything after "*-" here
            end = max;
            extra = SpecSchedule.STAR_BIT;
        } else {
            start = parseValueOrName(lowAndHigh.get(0), expr);
            if (lowAndHigh.size() == 1) {
                end = start;
            } else if (lowAndHigh.size() == 2) {
                end = parseValueOrName(lowAndHigh.get(1), expr);
            } else {
                throw new InvalidFieldException("too many '-' in \"" + expr + "\"");
            }
        }

        long step;
        if (rangeAndStep.size() == 1) {
            step = 1;
        } else if (rangeAndStep.size() == 2) {
            step = parseNumber(rangeAndStep.get(1), "step", expr);
            if (singleValue) {
                end = max; // "N/step" means "N-max/step"
            }
            if (step > 1) {
                extra = 0; // "*/2" is a restriction, not a star, for the day-of-month/day-of-week rule
            }
        } else {
            throw new InvalidFieldException("too many '/' in \"" + expr + "\"");
        }

        if (start < min) {
            throw outOfRange(start, expr);
        }
        if (end > max) {
            throw outOfRange(end, expr);
        }
        if (start > end) {
            if (start > max) {
                throw outOfRange(start, expr); // e.g. "60/5" in minutes
            }
            throw new InvalidFieldException("range start " + start + " is after range end " + end
                    + " in \"" + expr + "\"");
        }
        if (step == 0) {
            throw new InvalidFieldException("step must be at least 1 in \"" + expr + "\"");
        }
        return bits((int) start, (int) end, step) | extra;
    }

    /** robfig's {@code parseIntOrName}: a name (any case) if the field has names, else a number. */
    private long parseValueOrName(String text, String expr) throws InvalidFieldException {
        if (!names.isEmpty()) {
            int index = names.indexOf(goToLower(text));
            if (index >= 0) {
                return min + index;
            }
        }
        return parseNumber(text, "value", expr);
    }

    /** robfig's {@code mustParseInt}: Go's {@code strconv.Atoi} (ASCII digits, optional sign), then not negative. */
    private long parseNumber(String text, String what, String expr) throws InvalidFieldException {
        int i = 0;
        boolean negative = false;
        if (!text.isEmpty() && (text.charAt(0) == '+' || text.charAt(0) == '-')) {
            negative = text.charAt(0) == '-';
            i = 1;
        }
        if (i == text.length()) {
            throw new InvalidFieldException("missing " + what + context(expr, text));
        }
        long magnitude = 0;
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw notANumber(text, what, expr);
            }
            try {
                magnitude = Math.addExact(Math.multiplyExact(magnitude, 10), c - '0');
            } catch (ArithmeticException e) { // beyond Go's int64, so Atoi fails too
                throw new InvalidFieldException(what + " " + text + " is too large" + context(expr, text));
            }
        }
        if (negative && magnitude != 0) {
            throw new InvalidFieldException(what + " -" + magnitude + " must not be negative" + context(expr, text));
        }
        return magnitude;
    }

    private InvalidFieldException notANumber(String text, String what, String expr) {
        String expected = names.isEmpty() ? "a number"
                : "a number or a name (" + names.get(0).toUpperCase(Locale.ROOT) + "-"
                  + names.get(names.size() - 1).toUpperCase(Locale.ROOT) + ")";
        String problem = "value".equals(what)
                ? "\"" + text + "\" is not " + expected
                : what + " \"" + text + "\" is not a number";
        return new InvalidFieldException(problem + context(expr, text));
    }

    private InvalidFieldException outOfRange(long value, String expr) {
        return new InvalidFieldException("value " + value + " out of range " + min + "-" + max
                + context(expr, Long.toString(value)));
    }

    /** {@code in "expr"} when the offending text is only part of it. */
    private static String context(String expr, String offending) {
        return expr.equals(offending) ? "" : " in \"" + expr + "\"";
    }

    /** Bits {@code start..end} ({@code end <= 63}) every {@code step}, as robfig's {@code getBits}. */
    private static long bits(int start, int end, long step) {
        long bits = 0;
        for (long i = start; i <= end; i += step) {
            bits |= 1L << i;
            if (step > end) {
                break; // a huge step cannot hit another value (and must not overflow i)
            }
        }
        return bits;
    }

    /** Go's {@code strings.Split(s, sep)}: keeps empty parts, including trailing ones. */
    private static List<String> splitAll(String s, char sep) {
        ArrayList<String> parts = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == sep) {
                parts.add(s.substring(from, i));
                from = i + 1;
            }
        }
        parts.add(s.substring(from));
        return parts;
    }

    /** Go's {@code strings.ToLower}: simple per-code-point lower-casing, no locale. */
    private static String goToLower(String s) {
        StringBuilder lower = new StringBuilder(s.length());
        s.codePoints().map(Character::toLowerCase).forEach(lower::appendCodePoint);
        return lower.toString();
    }
}
