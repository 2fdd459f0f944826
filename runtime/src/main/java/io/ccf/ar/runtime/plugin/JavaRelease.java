package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The feature version (17, 25...) of a {@code java} executable, read from its JDK's {@code release}
 * file ({@code JAVA_VERSION="25.0.1"}) rather than by running it: no process, no JVM start.
 */
final class JavaRelease {
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)");
    private static final Pattern FULL_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"([0-9][0-9.]*)");

    private JavaRelease() {
    }

    /**
     * The whole version ({@code 17.0.21.1}); empty when the executable is not inside a JDK with a release file
     * or names a version before 9.
     */
    static Optional<Runtime.Version> version(Path java) {
        try {
            Path release = java.toRealPath().getParent().getParent().resolve("release");
            if (!Files.isRegularFile(release)) {
                return Optional.empty();
            }
            Matcher m = FULL_VERSION.matcher(Files.readString(release));
            return m.find() && !m.group(1).startsWith("1.") ? Optional.of(Runtime.Version.parse(m.group(1))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether this JVM has {@code -XX:TrimNativeHeapInterval} (JDK 22, back-ported to 21.0.1 and 17.0.9): an older
     * one refuses to start with it.
     */
    static boolean hasNativeHeapTrim(Runtime.Version v) {
        int feature = v.feature();
        return feature >= 22 || (feature == 21 && v.update() >= 1) || (feature == 17 && v.update() >= 9);
    }

    /** Empty when the executable is not inside a JDK with a release file (then nothing JDK-specific is used). */
    static OptionalInt featureVersion(Path java) {
        try {
            Path home = java.toRealPath().getParent().getParent();
            Path release = home.resolve("release");
            if (!Files.isRegularFile(release)) {
                return OptionalInt.empty();
            }
            Matcher m = JAVA_VERSION.matcher(Files.readString(release));
            return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }
}
