package io.ccf.ar.runtime.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes the daemon's own class-data archive, {@code lib/ar.jsa} beside {@code lib/ar.jar}, by running the
 * daemon once through its launcher ({@code bin/ar}, whose {@code AR_CDS_ARCHIVE_OUT} switch adds
 * {@code -XX:ArchiveClassesAtExit}): no NATS, one plugin on a one-second schedule, stopped by SIGTERM after its
 * first finished run, so that the archive holds what a daemon loads to start, run a plugin and report a result.
 * The launcher maps the archive when it exists; the JVM checks it against the jar and itself and, on a mismatch
 * (another JDK, a newer jar), runs without it. Measured: about 5 MB less idle RSS (docs/benchmarks.md).
 *
 * <p>Usage: {@code java -cp ar.jar io.ccf.ar.runtime.tools.DaemonArchiveTrainer BIN_DIR PACKAGE VERSION}, with
 * {@code BIN_DIR} as {@code make build} lays it out (the launcher, {@code lib/ar.jar}, {@code plugins/}); the
 * launcher runs on this JVM's {@code java} unless {@code JAVA} is set.
 */
public final class DaemonArchiveTrainer {
    /** The launcher's switch: write a dynamic archive at exit to this file instead of mapping lib/ar.jsa. */
    static final String ARCHIVE_OUT_ENV = "AR_CDS_ARCHIVE_OUT";
    private static final long RUN_TIMEOUT_SECONDS = 120;

    private DaemonArchiveTrainer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: DaemonArchiveTrainer BIN_DIR PACKAGE VERSION");
            System.exit(2);
        }
        Path bin = Path.of(args[0]).toAbsolutePath();
        Path archive = train(List.of(bin.resolve("ar").toString()), bin.resolve("plugins"), args[1], args[2],
                bin.resolve("lib").resolve("ar.jsa"));
        System.err.println("wrote " + archive + " (" + Files.size(archive) / 1024 + " KiB)");
    }

    /**
     * Runs {@code daemon} (a command that takes {@code --config FILE} and honours {@link #ARCHIVE_OUT_ENV}) until
     * its first finished run of {@code pkg@version}, stops it, and moves the archive it wrote to {@code archive}.
     *
     * @throws IllegalStateException when the daemon failed, timed out or wrote no archive (with its log's tail)
     */
    public static Path train(List<String> daemon, Path pluginsDir, String pkg, String version, Path archive)
            throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("ar-cds-training");
        try {
            Path config = Files.writeString(work.resolve("config.yml"), """
                    runtimeId: cds-training
                    eventBusURL: ""
                    pluginsDir: %s
                    assessmentsDir: %s
                    plugins:
                      - name: training
                        package: %s
                        version: %s
                        schedule: "* * * * * *"
                    """.formatted(quoted(pluginsDir), quoted(Files.createDirectory(work.resolve("assessments"))),
                    quoted(pkg), quoted(version)));
            Path written = work.resolve("ar.jsa");
            ProcessBuilder pb = new ProcessBuilder(concat(daemon, "--config", config.toString()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Map<String, String> env = pb.environment();
            env.put(ARCHIVE_OUT_ENV, written.toString());
            env.putIfAbsent("JAVA", ProcessHandle.current().info().command().orElse("java"));
            env.put("AR_METRICS_LISTEN", "127.0.0.1:0"); // served (its classes archived), on any free port
            Process process = pb.start();
            Deque<String> tail = new ArrayDeque<>();
            CompletableFuture<Boolean> finished = CompletableFuture.supplyAsync(() -> awaitRunFinished(process, tail));
            boolean ran;
            try {
                ran = finished.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                ran = false;
            }
            process.destroy(); // SIGTERM: the daemon stops, and the JVM writes the archive as it exits
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the training daemon did not stop within 60 s of SIGTERM");
            }
            if (!ran || !Files.isRegularFile(written)) {
                throw new IllegalStateException((ran ? "the training daemon wrote no archive" : "the training daemon "
                        + "finished no run within " + RUN_TIMEOUT_SECONDS + " s") + "; its log ends with:\n"
                        + String.join("\n", snapshot(tail)));
            }
            Files.createDirectories(archive.toAbsolutePath().getParent());
            Files.move(written, archive, StandardCopyOption.REPLACE_EXISTING);
            return archive;
        } finally {
            deleteTree(work);
        }
    }

    /** Reads the daemon's log (stderr) until a run finished, then drains it on; keeps its last lines for an error. */
    private static boolean awaitRunFinished(Process process, Deque<String> tail) {
        BufferedReader log = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = log.readLine()) != null) {
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > 20) {
                        tail.removeFirst();
                    }
                }
                if (line.contains("run finished")) {
                    Thread drain = new Thread(() -> drain(log), "cds-training-log");
                    drain.setDaemon(true);
                    drain.start();
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static void drain(BufferedReader log) {
        try (log) {
            while (log.readLine() != null) {
                // keeps the pipe open until the daemon exits
            }
        } catch (IOException ignored) {
            // the daemon is gone
        }
    }

    private static List<String> snapshot(Deque<String> tail) {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    private static String quoted(Object value) {
        return "'" + value.toString().replace("'", "''") + "'";
    }

    private static List<String> concat(List<String> command, String... more) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(more));
        return all;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
