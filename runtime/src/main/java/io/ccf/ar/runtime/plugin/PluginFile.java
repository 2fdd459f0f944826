package io.ccf.ar.runtime.plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One plugin file outside any plugins directory, as {@code ar run-plugin FILE} names it: a {@code .jar} (launched
 * with {@code java -jar} like an installed Java plugin, with a {@code <name>.jsa} archive beside it if there is
 * one) or an executable (a Go plugin). Its package is named after the file ({@code sample.jar} is
 * {@code sample@local}).
 */
public final class PluginFile implements PackageResolver {
    /** The version of a plugin run from a file: it has none. */
    public static final String VERSION = "local";

    private final PluginPackage pkg;

    private PluginFile(PluginPackage pkg) {
        this.pkg = pkg;
    }

    /**
     * Checks that {@code file} can be run as a plugin.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it (missing, a directory, not
     *                                  executable)
     */
    public static PluginFile of(Path file) {
        Path path = file.toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("plugin file " + file + " does not exist");
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("plugin file " + file + " is not a regular file");
        }
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("plugin file " + file + " is not readable");
        }
        String fileName = path.getFileName().toString();
        boolean jar = fileName.toLowerCase(Locale.ROOT).endsWith(".jar");
        if (!jar && !Files.isExecutable(path)) {
            throw new IllegalArgumentException("plugin file " + file
                    + " is neither a .jar nor executable (chmod +x it if it is a Go plugin)");
        }
        PackageRef ref = new PackageRef(packageName(fileName, jar), VERSION);
        return new PluginFile(new PluginPackage(ref, path, jar ? PluginPackage.Kind.JAR : PluginPackage.Kind.EXECUTABLE));
    }

    /** The file name without {@code .jar}, with every character a package name cannot hold as '-'. */
    static String packageName(String fileName, boolean jar) {
        String base = jar ? fileName.substring(0, fileName.length() - ".jar".length()) : fileName;
        String plain = base.replaceAll("[^A-Za-z0-9._+-]", "-").replace("..", "-").replaceFirst("^[^A-Za-z0-9]+", "");
        return plain.isEmpty() ? "plugin" : plain;
    }

    public PackageRef ref() {
        return pkg.ref();
    }

    public PluginPackage pkg() {
        return pkg;
    }

    @Override
    public PluginPackage resolve(PackageRef ref) {
        if (!ref.equals(pkg.ref())) {
            throw new PluginNotFoundException("package " + ref + " is not " + pkg.file() + " (" + pkg.ref() + ")");
        }
        return pkg;
    }
}
