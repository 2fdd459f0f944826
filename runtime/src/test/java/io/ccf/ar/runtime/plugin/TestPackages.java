package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Lays out plugin packages in a temporary plugins directory, as a user (or the downloader) would. */
public final class TestPackages {
    private final Path pluginsDir;

    public TestPackages(Path pluginsDir) {
        this.pluginsDir = pluginsDir;
    }

    public PackageLayout layout() {
        return new PackageLayout(pluginsDir);
    }

    /** A package whose executable {@code plugin} is the given shell script body. */
    public PackageRef script(String name, String version, String body) {
        PackageRef ref = new PackageRef(name, version);
        try {
            Path dir = Files.createDirectories(layout().versionDir(ref));
            Path file = Files.writeString(dir.resolve("plugin"), "#!/bin/sh\n" + body + "\n");
            if (!file.toFile().setExecutable(true)) {
                throw new IOException("cannot chmod " + file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ref;
    }

    /** A Java package: the jar copied to {@code <name>/<version>/<name>.jar}. */
    public PackageRef jar(String name, String version, Path jar) {
        PackageRef ref = new PackageRef(name, version);
        try {
            Path dir = Files.createDirectories(layout().versionDir(ref));
            Files.copy(jar, dir.resolve(name + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ref;
    }

    /** A native package: the executable copied to {@code <name>/<version>/<name>}. */
    public PackageRef executable(String name, String version, Path binary) {
        PackageRef ref = new PackageRef(name, version);
        try {
            Path dir = Files.createDirectories(layout().versionDir(ref));
            Path target = Files.copy(binary, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            target.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ref;
    }

    /** The sample plugin jar built by the sample-plugin module. */
    public static Path sampleJar() {
        Path jar = Path.of(System.getProperty("ar.sampleJar", "../sample-plugin/target/sample.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("sample plugin jar not found at " + jar + ": run `mvn verify` from the top (make test)");
        }
        return jar;
    }
}
