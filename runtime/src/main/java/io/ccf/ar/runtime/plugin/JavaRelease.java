package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The feature version (17, 25...) of a {@code java} executable, read from its JDK's {@code release}
 * file ({@code JAVA_VERSION="25.0.1"}) rather than by running it: no process, no JVM start.
 */
final class JavaRelease {
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)");

    private JavaRelease() {
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
