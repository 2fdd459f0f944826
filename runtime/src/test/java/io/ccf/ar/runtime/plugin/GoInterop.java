package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Builds the Go plugin and Go host of interop/go once per test JVM (offline, from Debian's Go
 * packages; .ci/run installs them) and hands out their paths.
 */
public final class GoInterop {
    private static Path built;

    private GoInterop() {
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("ar.repoRoot", "..")).toAbsolutePath().normalize();
    }

    static synchronized Path outDir() {
        if (built != null) {
            return built;
        }
        Path out = repoRoot().resolve("runtime/target/go");
        try {
            Process build = new ProcessBuilder("sh", repoRoot().resolve("interop/go/build.sh").toString(), out.toString())
                    .redirectErrorStream(true).start();
            String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!build.waitFor(5, TimeUnit.MINUTES) || build.exitValue() != 0) {
                throw new IllegalStateException("building the Go interop binaries failed (Go and go-plugin come from Debian:"
                        + " see .ci/run):\n" + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run interop/go/build.sh: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        built = out;
        return out;
    }

    public static Path goPlugin() {
        return existing(outDir().resolve("goplugin"));
    }

    public static Path goHost() {
        return existing(outDir().resolve("gohost"));
    }

    private static Path existing(Path p) {
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(p + " was not built");
        }
        return p;
    }
}
