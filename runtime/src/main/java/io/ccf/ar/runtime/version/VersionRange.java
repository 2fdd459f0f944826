package io.ccf.ar.runtime.version;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A version range in npm's notation, which is what plan authors know from package managers:
 * {@code ^1.2} (compatible with 1.2, below 2.0), {@code ~1.2.3} (patch updates), {@code >=1.0 <2.0}
 * (comparators joined by spaces or commas), {@code 1.x}, {@code *}, alternatives joined by {@code ||},
 * and {@code latest} (the highest release). As in npm, a prerelease ({@code 1.3.0-rc.1}) only matches a
 * range that names a prerelease of the same major.minor.patch, so {@code ^1.2} never picks an rc.
 */
public final class VersionRange {
    private static final Pattern SPACE_AFTER_OPERATOR = Pattern.compile("(>=|<=|>|<|=|\\^|~)\\s+");

    private enum Op { GE, GT, LE, LT, EQ }

    private record Comparator(Op op, Version version) {
        boolean test(Version v) {
            int c = v.compareTo(version);
            return switch (op) {
                case GE -> c >= 0;
                case GT -> c > 0;
                case LE -> c <= 0;
                case LT -> c < 0;
                case EQ -> c == 0;
            };
        }
    }

    private final String text;
    private final List<List<Comparator>> alternatives;

    private VersionRange(String text, List<List<Comparator>> alternatives) {
        this.text = text;
        this.alternatives = alternatives;
    }

    /** Parses a range; throws IllegalArgumentException saying which part is wrong. */
    public static VersionRange parse(String text) {
        String normal = SPACE_AFTER_OPERATOR.matcher(text.strip()).replaceAll("$1");
        if (normal.isEmpty()) {
            throw new IllegalArgumentException("empty version range");
        }
        List<List<Comparator>> alternatives = new ArrayList<>();
        for (String set : normal.split("\\|\\|", -1)) {
            List<Comparator> comparators = new ArrayList<>();
            for (String term : set.strip().split("[\\s,]+")) {
                if (!term.isEmpty()) {
                    comparators.addAll(term(term, text));
                }
            }
            if (comparators.isEmpty()) {
                throw new IllegalArgumentException("version range \"" + text + "\" has an empty alternative around ||");
            }
            alternatives.add(List.copyOf(comparators));
        }
        return new VersionRange(text.strip(), List.copyOf(alternatives));
    }

    public boolean matches(Version v) {
        for (List<Comparator> set : alternatives) {
            if (set.stream().allMatch(c -> c.test(v)) && (!v.isPrerelease() || set.stream()
                    .anyMatch(c -> c.version().isPrerelease() && c.version().sameCore(v)))) {
                return true;
            }
        }
        return false;
    }

    /** The highest of {@code candidates} (version strings; those that are not versions are ignored) in range. */
    public Optional<String> highest(Collection<String> candidates) {
        Version best = null;
        for (String candidate : candidates) {
            Optional<Version> v = Version.parse(candidate);
            if (v.isPresent() && matches(v.get()) && (best == null || v.get().compareTo(best) > 0)) {
                best = v.get();
            }
        }
        return Optional.ofNullable(best).map(Version::toString);
    }

    @Override
    public String toString() {
        return text;
    }

    // ---- desugaring, as npm's semver does ----

    /** A version with some parts left open: {@code 1}, {@code 1.2}, {@code 1.x}, {@code *}. */
    private record Partial(Long major, Long minor, Long patch, List<String> prerelease) {
        int known() {
            return major == null ? 0 : minor == null ? 1 : patch == null ? 2 : 3;
        }

        Version floor() {
            return Version.of(orZero(major), orZero(minor), orZero(patch), prerelease);
        }

        private static long orZero(Long n) {
            return n == null ? 0 : n;
        }
    }

    private static List<Comparator> term(String term, String whole) {
        if (term.equals("latest") || term.equals("*") || term.equalsIgnoreCase("x")) {
            return List.of(new Comparator(Op.GE, Version.of(0, 0, 0)));
        }
        String op = term.startsWith(">=") || term.startsWith("<=") ? term.substring(0, 2)
                : term.startsWith(">") || term.startsWith("<") || term.startsWith("=")
                || term.startsWith("^") || term.startsWith("~") ? term.substring(0, 1) : "";
        Partial p = partial(term.substring(op.length()), term, whole);
        Version floor = p.floor();
        int known = p.known();
        return switch (op) {
            case "^" -> {
                Version upper = known == 0 ? null
                        : p.major() > 0 || known == 1 ? Version.of(p.major() + 1, 0, 0, List.of("0"))
                        : p.minor() > 0 || known == 2 ? Version.of(0, p.minor() + 1, 0, List.of("0"))
                        : Version.of(0, 0, p.patch() + 1, List.of("0"));
                yield bounded(floor, upper);
            }
            case "~" -> bounded(floor, known == 0 ? null : known == 1
                    ? Version.of(p.major() + 1, 0, 0, List.of("0"))
                    : Version.of(p.major(), p.minor() + 1, 0, List.of("0")));
            case ">=" -> List.of(new Comparator(Op.GE, floor));
            case "<" -> List.of(new Comparator(Op.LT, floor));
            case ">" -> known == 3 ? List.of(new Comparator(Op.GT, floor))
                    : known == 0 ? List.of(new Comparator(Op.LT, Version.of(0, 0, 0))) // >* matches nothing
                    : List.of(new Comparator(Op.GE, nextAfter(p)));
            case "<=" -> known == 3 ? List.of(new Comparator(Op.LE, floor))
                    : known == 0 ? List.of(new Comparator(Op.GE, Version.of(0, 0, 0)))
                    : List.of(new Comparator(Op.LT, nextAfter(p)));
            default -> known == 3 ? List.of(new Comparator(Op.EQ, floor))
                    : bounded(floor, known == 0 ? null : nextAfter(p));
        };
    }

    /** The first version above every version the partial covers: 1.2 → 1.3.0-0, 1 → 2.0.0-0. */
    private static Version nextAfter(Partial p) {
        return p.known() == 1 ? Version.of(p.major() + 1, 0, 0, List.of("0"))
                : Version.of(p.major(), p.minor() + 1, 0, List.of("0"));
    }

    private static List<Comparator> bounded(Version floor, Version upperExclusive) {
        List<Comparator> cs = new ArrayList<>();
        cs.add(new Comparator(Op.GE, floor));
        if (upperExclusive != null) {
            cs.add(new Comparator(Op.LT, upperExclusive));
        }
        return cs;
    }

    private static Partial partial(String s, String term, String whole) {
        String body = s.startsWith("v") ? s.substring(1) : s;
        int plus = body.indexOf('+');
        if (plus >= 0) {
            body = body.substring(0, plus);
        }
        List<String> pre = List.of();
        int dash = body.indexOf('-');
        if (dash >= 0) {
            String p = body.substring(dash + 1);
            if (p.isEmpty() || !p.matches("[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*")) {
                throw bad(term, whole);
            }
            pre = List.of(p.split("\\."));
            body = body.substring(0, dash);
        }
        String[] parts = body.split("\\.", -1);
        if (body.isEmpty() || parts.length > 3) {
            throw bad(term, whole);
        }
        Long[] nums = new Long[3];
        boolean open = false;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.equals("x") || part.equals("X") || part.equals("*")) {
                open = true;
            } else if (!open && part.matches("0|[1-9]\\d{0,17}")) {
                nums[i] = Long.parseLong(part);
            } else {
                throw bad(term, whole);
            }
        }
        if (!pre.isEmpty() && nums[2] == null) {
            throw bad(term, whole);
        }
        return new Partial(nums[0], nums[1], nums[2], pre);
    }

    private static IllegalArgumentException bad(String term, String whole) {
        return new IllegalArgumentException("\"" + term + "\" in version range \"" + whole
                + "\" is not a version or comparator (examples: ^1.2, ~1.2.3, >=1.0 <2.0, 1.x, latest)");
    }
}
