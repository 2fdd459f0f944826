package io.ccf.ar.runtime.plugin;

import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Where the class-data files of a Java plugin live, beside its jar: the AppCDS archive
 * {@code <package>.jsa} (JDK 17 and later) and the AOT cache {@code <package>-<jar sha256, 16 hex>.aot}
 * (JDK 25 and later). The AOT cache's name carries the jar's hash because JDK 25 was seen using a cache
 * trained for another jar silently: a changed jar has no cache until one is trained for it.
 */
public final class ClassDataFiles {
    /** The first JDK with {@code -XX:AOTCache} and one-step training ({@code -XX:AOTCacheOutput}). */
    public static final int FIRST_AOT_CACHE_JDK = 25;
    private static final int HASH_CHARS_IN_NAME = 16;

    private ClassDataFiles() {
    }

    /** True when {@code java} belongs to a JDK that has AOT caches (read from its {@code release} file). */
    public static boolean supportsAotCache(Path java) {
        OptionalInt feature = JavaRelease.featureVersion(java);
        return feature.isPresent() && feature.getAsInt() >= FIRST_AOT_CACHE_JDK;
    }

    public static Path appCdsArchive(PackageRef ref, Path jar) {
        return jar.resolveSibling(ref.name() + ".jsa");
    }

    /** The AOT cache for the jar whose SHA-256 is {@code jarSha256} (hex). */
    public static Path aotCache(PackageRef ref, Path jar, String jarSha256) {
        return jar.resolveSibling(ref.name() + "-" + jarSha256.substring(0, HASH_CHARS_IN_NAME) + ".aot");
    }

    /** True for a file name {@link #aotCache} makes for this package, whichever jar it was trained for. */
    public static boolean isAotCacheOf(PackageRef ref, Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(ref.name() + "-") && name.endsWith(".aot")
                && name.length() == ref.name().length() + 1 + HASH_CHARS_IN_NAME + ".aot".length();
    }
}
