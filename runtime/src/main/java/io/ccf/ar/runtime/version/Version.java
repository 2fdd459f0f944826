package io.ccf.ar.runtime.version;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic version ({@code 1.2.3}, {@code 1.2.3-rc.1}, {@code v1.2.3+build}) as published in a registry,
 * ordered by semver 2.0 precedence. Missing minor/patch count as 0 ({@code 1.2} is 1.2.0); the original
 * string is kept because it names the install directory.
 */
public final class Version implements Comparable<Version> {
    private static final Pattern SEMVER = Pattern.compile(
            "v?(0|[1-9]\\d*)(?:\\.(0|[1-9]\\d*))?(?:\\.(0|[1-9]\\d*))?(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z.-]+)?");

    private final String text;
    private final long major;
    private final long minor;
    private final long patch;
    private final List<String> prerelease;

    private Version(String text, long major, long minor, long patch, List<String> prerelease) {
        this.text = text;
        this.major = major;
        this.minor = minor;
        this.patch = patch;
        this.prerelease = List.copyOf(prerelease);
    }

    /** Parses a version, or empty when the string is not one (a tag such as {@code dev} or {@code latest}). */
    public static Optional<Version> parse(String text) {
        Objects.requireNonNull(text, "version");
        Matcher m = SEMVER.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            long major = Long.parseLong(m.group(1));
            long minor = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
            long patch = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
            List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
            return Optional.of(new Version(text.strip(), major, minor, patch, pre));
        } catch (NumberFormatException tooBig) {
            return Optional.empty();
        }
    }

    /**
     * Orders version strings as a registry lists them: versions by semver precedence (ties by their text,
     * so {@code 1.2} and {@code 1.2.0} keep a stable order), then tags that are not versions, by name.
     */
    public static Comparator<String> stringOrder() {
        return (a, b) -> {
            Optional<Version> x = parse(a);
            Optional<Version> y = parse(b);
            if (x.isPresent() && y.isPresent()) {
                int c = x.get().compareTo(y.get());
                return c != 0 ? c : a.compareTo(b);
            }
            if (x.isPresent() != y.isPresent()) {
                return x.isPresent() ? -1 : 1;
            }
            return a.compareTo(b);
        };
    }

    static Version of(long major, long minor, long patch) {
        return new Version(major + "." + minor + "." + patch, major, minor, patch, List.of());
    }

    static Version of(long major, long minor, long patch, List<String> prerelease) {
        String text = major + "." + minor + "." + patch + (prerelease.isEmpty() ? "" : "-" + String.join(".", prerelease));
        return new Version(text, major, minor, patch, new ArrayList<>(prerelease));
    }

    public long major() {
        return major;
    }

    public long minor() {
        return minor;
    }

    public long patch() {
        return patch;
    }

    public boolean isPrerelease() {
        return !prerelease.isEmpty();
    }

    List<String> prerelease() {
        return prerelease;
    }

    /** True when both share major.minor.patch (npm lets a prerelease match only such a comparator). */
    boolean sameCore(Version other) {
        return major == other.major && minor == other.minor && patch == other.patch;
    }

    /** The string as published: the name of the version directory. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public int compareTo(Version o) {
        int c = Long.compare(major, o.major);
        if (c == 0) {
            c = Long.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, o.patch);
        }
        return c != 0 ? c : comparePrerelease(prerelease, o.prerelease);
    }

    /** Semver §11: a release ranks above its prereleases; identifiers compare numerically or lexically. */
    private static int comparePrerelease(List<String> a, List<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return Boolean.compare(a.isEmpty(), b.isEmpty());
        }
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            String x = a.get(i);
            String y = b.get(i);
            boolean xNum = x.chars().allMatch(Character::isDigit);
            boolean yNum = y.chars().allMatch(Character::isDigit);
            int c;
            if (xNum && yNum) {
                c = x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
            } else if (xNum != yNum) {
                c = xNum ? -1 : 1;
            } else {
                c = x.compareTo(y);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(major, minor, patch, prerelease);
    }
}
