package io.ccf.ar.runtime.scaffold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ccf.ar.runtime.testing.CliProcess;

/** Runs the real {@code ar} and the real build tools (mvn, sh, go) as child processes, for the scaffold tests. */
final class Commands {
    static final Duration AR_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

    private Commands() {
    }

    /** {@code ar ARGS...} in {@code workDir}; asserts exit 0 and returns stdout. */
    static List<String> ar(Path workDir, String... args) throws InterruptedException, IOException {
        try (CliProcess ar = CliProcess.start(workDir, args)) {
            assertEquals(0, ar.waitFor(AR_TIMEOUT), "ar " + String.join(" ", args) + ":\n" + String.join("\n", ar.stderr()));
            return ar.stdout();
        }
    }

    /** Runs {@code command} in {@code dir} to its end; asserts exit 0 and returns stdout and stderr together. */
    static String run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("scaffold-build-", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            boolean exited = p.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                p.destroyForcibly();
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(0, exited ? p.exitValue() : -1, String.join(" ", command) + " in " + dir
                    + (exited ? "" : " did not finish within " + BUILD_TIMEOUT) + ":\n" + text);
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Whether {@code tool} is an executable on the PATH. */
    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** The repository's root (the runtime's tests run in runtime/). */
    static Path repoRoot() {
        return Path.of(System.getProperty("ar.repoRoot", "..")).toAbsolutePath().normalize();
    }
}
