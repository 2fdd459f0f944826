package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Builds the Go plugin and Go host of interop/go (and, when asked for, orastool) once per test JVM (offline,
 * from Debian's Go packages; .ci/run installs them) and hands out their paths.
 */
public final class GoInterop {
    private static Path built;
    private static Path orasBuilt;

    private GoInterop() {
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("ar.repoRoot", "..")).toAbsolutePath().normalize();
    }

    static synchronized Path outDir() {
        if (built == null) {
            built = build("interop/go/build.sh", "Go and go-plugin");
        }
        return built;
    }

    /** oras-go 1.1.1's own push/pull (interop/go/oras), built on first use into the same directory and cache. */
    static synchronized Path orasOutDir() {
        if (orasBuilt == null) {
            orasBuilt = build("interop/go/build-oras.sh", "Go and oras-go (golang-oras-oras-go-dev)");
        }
        return orasBuilt;
    }

    private static Path build(String script, String what) {
        Path out = repoRoot().resolve("runtime/target/go");
        try {
            Process build = new ProcessBuilder("sh", repoRoot().resolve(script).toString(), out.toString())
                    .redirectErrorStream(true).start();
            String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!build.waitFor(5, TimeUnit.MINUTES) || build.exitValue() != 0) {
                throw new IllegalStateException("building the Go interop binaries failed (" + what + " come from Debian:"
                        + " see .ci/run):\n" + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out;
    }

    public static Path goPlugin() {
        return existing(outDir().resolve("goplugin"));
    }

    public static Path goHost() {
        return existing(outDir().resolve("gohost"));
    }

    /** {@code orastool push REF DIR} / {@code orastool pull REF OUTDIR}: the oras 0.x CLI's push and pull, plain HTTP. */
    public static Path orasTool() {
        return existing(orasOutDir().resolve("orastool"));
    }

    private static Path existing(Path p) {
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(p + " was not built");
        }
        return p;
    }
}
