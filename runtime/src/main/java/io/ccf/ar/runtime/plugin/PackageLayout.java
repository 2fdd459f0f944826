package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where packages live on disk: {@code <pluginsDir>/<package>/<version>/} holding one of
 * an executable named {@code <package>} (the original layout), an executable named {@code plugin}
 * (the original's later layout) or {@code <package>.jar} (a Java plugin). Checked in that order.
 */
public final class PackageLayout implements PackageResolver {
    private final Path pluginsDir;

    public PackageLayout(Path pluginsDir) {
        this.pluginsDir = pluginsDir.toAbsolutePath().normalize();
    }

    public Path pluginsDir() {
        return pluginsDir;
    }

    public Path versionDir(PackageRef ref) {
        return pluginsDir.resolve(ref.name()).resolve(ref.version());
    }

    /** Finds the runnable file of a package version, or explains what was looked for. */
    @Override
    public PluginPackage resolve(PackageRef ref) {
        Path dir = versionDir(ref);
        List<Path> candidates = candidates(ref);
        for (Path candidate : candidates) {
            if (!Files.isRegularFile(candidate)) {
                continue;
            }
            if (candidate.getFileName().toString().endsWith(".jar")) {
                return new PluginPackage(ref, candidate, PluginPackage.Kind.JAR);
            }
            if (!Files.isExecutable(candidate)) {
                throw new PluginNotFoundException("plugin file " + candidate + " of package " + ref
                        + " is not executable (chmod +x it)");
            }
            return new PluginPackage(ref, candidate, PluginPackage.Kind.EXECUTABLE);
        }
        String found = Files.isDirectory(dir) ? " (the directory holds: " + listing(dir) + ")" : " (no such directory)";
        throw new PluginNotFoundException("package " + ref + " is not installed: looked for "
                + candidates.stream().map(p -> p.getFileName().toString()).toList() + " in " + dir + found);
    }

    /** Every package version present on disk, whether runnable or not. */
    public List<PackageRef> installed() {
        List<PackageRef> refs = new ArrayList<>();
        if (!Files.isDirectory(pluginsDir)) {
            return refs;
        }
        try (Stream<Path> packages = Files.list(pluginsDir)) {
            for (Path pkg : packages.sorted().toList()) {
                if (!Files.isDirectory(pkg)) {
                    continue;
                }
                try (Stream<Path> versions = Files.list(pkg)) {
                    for (Path version : versions.sorted().toList()) {
                        if (Files.isDirectory(version)) {
                            try {
                                refs.add(new PackageRef(pkg.getFileName().toString(), version.getFileName().toString()));
                            } catch (IllegalArgumentException ignored) {
                                // not a name we would ever resolve; leave it out
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new PluginException("cannot list plugins directory " + pluginsDir + ": " + e.getMessage(), e);
        }
        return refs;
    }

    private List<Path> candidates(PackageRef ref) {
        Path dir = versionDir(ref);
        return List.of(dir.resolve(ref.name()), dir.resolve("plugin"), dir.resolve(ref.name() + ".jar"));
    }

    private static String listing(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            return names.isEmpty() ? "nothing" : String.join(", ", names);
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }
}
