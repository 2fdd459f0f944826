package io.ccf.ar.runtime.version;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a plan or config entry says in its {@code version} field:
 * <ul>
 *   <li>an exact version or tag, {@code 1.0.0} (the original's only form: the directory name);</li>
 *   <li>a pinned version, {@code 1.0.0@sha256:<64 hex>}: that version, and only with that content
 *       (for a static registry the SHA-256 of the package file, for an OCI registry the manifest digest);</li>
 *   <li>a {@link VersionRange}, {@code ^1.2}, {@code ~1.2.3}, {@code >=1.0 <2.0}, {@code 1.x}, {@code latest},
 *       resolved against the registry's index (or the installed versions) to one exact version.</li>
 * </ul>
 */
public sealed interface VersionRequirement {

    /** Plain names only: they become directory names under the plugins directory. */
    Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
    Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    Pattern RANGE_HINT = Pattern.compile("latest|.*[\\s^~<>=*|,].*|(v?\\d+\\.)*[xX*](\\.[xX*])*");

    /** The requirement as written. */
    String text();

    record Exact(String version) implements VersionRequirement {
        @Override
        public String text() {
            return version;
        }
    }

    /** @param digest {@code sha256:<64 lower-case hex>} */
    record Pinned(String version, String digest) implements VersionRequirement {
        @Override
        public String text() {
            return version + "@" + digest;
        }
    }

    record Range(VersionRange range) implements VersionRequirement {
        @Override
        public String text() {
            return range.toString();
        }
    }

    /** Parses a version field; throws IllegalArgumentException with an explanation a config author can act on. */
    static VersionRequirement parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("version is empty");
        }
        int at = s.indexOf('@');
        if (at >= 0) {
            String version = s.substring(0, at);
            String digest = s.substring(at + 1).toLowerCase(Locale.ROOT);
            requirePlain(version, s);
            if (!DIGEST.matcher(digest).matches()) {
                throw new IllegalArgumentException("version \"" + s + "\": the part after @ must be sha256: and 64 hex digits");
            }
            return new Pinned(version, digest);
        }
        if (RANGE_HINT.matcher(s).matches()) {
            return new Range(VersionRange.parse(s));
        }
        requirePlain(s, s);
        return new Exact(s);
    }

    /** True when {@code version} can name a version directory as it is (no range, no pin). */
    static boolean isExact(String version) {
        return version != null && PLAIN.matcher(version).matches() && !version.contains("..")
                && !RANGE_HINT.matcher(version).matches();
    }

    private static void requirePlain(String version, String whole) {
        if (!PLAIN.matcher(version).matches() || version.contains("..")) {
            throw new IllegalArgumentException("version \"" + whole + "\" is neither a plain version (letters, digits, "
                    + "'.', '_', '+', '-'; no '/' or '..'), a pinned one (1.0.0@sha256:<hex>) nor a range (^1.2, ~1.2.3, "
                    + ">=1.0 <2.0, latest)");
        }
    }
}
