package io.ccf.ar.runtime.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.Processes;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;

/**
 * Runtimes as real processes ({@code ar --config ...}) sharing one plugins dir (the sample jar) and NATS, each with its
 * own config dir, spool and plans. What the test injects (kill, stop, outage) it does to these processes; what it counts
 * it reads back from the results stream ({@link StoredResults}).
 */
final class FaultRig implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final String RESULTS_STREAM = "AR_RESULTS";

    private final Path dir;
    private final String natsUrl;
    private final List<CliProcess> runtimes = new ArrayList<>();

    FaultRig(Path dir, String natsUrl) {
        this.dir = dir;
        this.natsUrl = natsUrl;
        new TestPackages(dir.resolve("plugins")).jar("sample", "1.0.0", TestPackages.sampleJar());
    }

    /** One `plugins:` entry of the sample plugin (3 subjects) on {@code schedule}; {@code config} as YAML lines. */
    static String sampleJob(String name, String schedule, String... config) {
        StringBuilder s = new StringBuilder("  - name: " + name + "\n    package: sample\n    version: 1.0.0\n"
                + "    schedule: \"" + schedule + "\"\n");
        if (config.length > 0) {
            s.append("    configuration:\n");
            for (String line : config) {
                s.append("      ").append(line).append('\n');
            }
        }
        return s.toString();
    }

    /**
     * Starts runtime {@code id} with {@code extraYaml} (execution/nats sections) and the plugins, and waits until it
     * takes triggers from the shared schedule.
     */
    CliProcess runtime(String id, String execution, String nats, String plugins) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve(id));
        Files.createDirectories(home.resolve("assessments"));
        Files.writeString(home.resolve("config.yml"), "runtimeId: " + id + "\n"
                + "eventBusURL: " + natsUrl + "\n"
                + "pluginsDir: " + dir.resolve("plugins") + "\n"
                + "timeZone: UTC\n"
                + "execution:\n" + execution
                + "nats:\n" + nats
                + "plugins:\n" + plugins);
        CliProcess ar = CliProcess.start(home, "--config", "config.yml");
        runtimes.add(ar);
        ar.awaitLog("taking triggers from the shared schedule", TIMEOUT);
        return ar;
    }

    /** The next whole second at least {@code lead} from now: where a counting window starts or ends. */
    static Instant secondsFromNow(long lead) {
        return Instant.now().plusSeconds(lead).plusMillis(999).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    /** Waits (polling the stream: nothing signals "all arrived") until {@code done} holds for what is stored. */
    static StoredResults awaitStored(Connection connection, Duration timeout, java.util.function.Predicate<StoredResults> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        StoredResults stored = StoredResults.read(connection, RESULTS_STREAM);
        while (!done.test(stored) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            stored = StoredResults.read(connection, RESULTS_STREAM);
        }
        return stored;
    }

    /** Fires of an every-second job between from and to (both whole seconds, inclusive). */
    static long everySecondFires(Instant from, Instant to) {
        return Duration.between(from, to).toSeconds() + 1;
    }

    /** True when every fire in the window has {@code subjects} results stored. */
    static boolean complete(StoredResults stored, String jobId, Instant from, Instant to, long expectedFires, int subjects) {
        TreeMap<Instant, StoredResults.Fire> fires = stored.fires(jobId, from, to);
        return fires.size() == expectedFires && fires.values().stream().allMatch(f -> f.subjectsAssessed() >= subjects);
    }

    /**
     * The counts every scenario on a window of fires reports (fires of {@code jobId} in [from, to] as stored, and what
     * the runtimes logged), with {@code runTwice} named by the caller (how it was counted differs), and asserts the
     * promise: every fire has its {@code subjects} results, each stored once. Writes the report and the logs first, so
     * a failing run leaves its figures.
     */
    void reportAndAssertWindow(String scenario, String description, Class<?> test, StoredResults stored, String jobId,
                               java.time.Instant from, java.time.Instant to, long expectedFires, int subjects,
                               String runTwiceName, long runTwice) throws IOException {
        TreeMap<java.time.Instant, StoredResults.Fire> fires = stored.fires(jobId, from, to);
        long complete = fires.values().stream().filter(f -> f.subjectsAssessed() >= subjects).count();
        long storedInWindow = fires.values().stream().mapToLong(f -> f.results().size()).sum();
        long assessed = fires.values().stream().mapToLong(StoredResults.Fire::subjectsAssessed).sum();
        FaultReport.scenario(scenario, description)
                .count("firesExpected", expectedFires)
                .count("firesRun", fires.size())
                .count("firesLost", expectedFires - complete)
                .count(runTwiceName, runTwice)
                .count("firesRunLocally", logLinesOfAll("fire runs on this runtime"))
                .count("skippedOverlap", logLinesOfAll("SKIPPED_OVERLAP"))
                .count("misfired", logLinesOfAll("run misfired"))
                .count("resultsExpected", subjects * expectedFires)
                .count("resultsStored", storedInWindow)
                .count("resultsDuplicated", stored.duplicates())
                .count("resultsLost", subjects * expectedFires - assessed)
                .write(test);
        saveLogs(scenario);
        if (complete != expectedFires) {
            org.junit.jupiter.api.Assertions.fail(whyIncomplete(fires, jobId, from, to, expectedFires, subjects));
        }
        org.junit.jupiter.api.Assertions.assertEquals(subjects * expectedFires, storedInWindow,
                "one stored result per subject and fire");
        org.junit.jupiter.api.Assertions.assertEquals(0, stored.duplicates(), "no result stored twice");
    }

    /**
     * What a failing window needs to be understood from the test output alone (CI keeps no files): the fires missing or
     * incomplete, what each runtime logged about each of them, and every runtime's warnings and errors.
     */
    private String whyIncomplete(TreeMap<java.time.Instant, StoredResults.Fire> fires, String jobId, java.time.Instant from,
                                 java.time.Instant to, long expectedFires, int subjects) {
        StringBuilder why = new StringBuilder();
        why.append("expected ").append(expectedFires).append(" fires of ").append(jobId).append(" in [").append(from)
                .append(", ").append(to).append("] with ").append(subjects).append(" results each; now ")
                .append(java.time.Instant.now()).append("\n");
        List<java.time.Instant> incomplete = new ArrayList<>();
        for (java.time.Instant t = from; !t.isAfter(to); t = t.plusSeconds(1)) {
            StoredResults.Fire fire = fires.get(t);
            if (fire == null || fire.subjectsAssessed() < subjects) {
                incomplete.add(t);
            }
        }
        why.append("incomplete: ").append(incomplete.size()).append(" fires\n");
        for (java.time.Instant t : incomplete.subList(0, Math.min(incomplete.size(), 12))) {
            StoredResults.Fire fire = fires.get(t);
            why.append("- ").append(t).append(": ").append(fire == null ? "nothing stored"
                    : fire.subjectsAssessed() + " subjects stored by " + fire.runtimes()).append("\n");
            for (int i = 0; i < runtimes.size(); i++) {
                String name = "rt" + i + " ";
                runtimes.get(i).stderr().stream().filter(l -> l.contains(t.toString())).limit(6)
                        .forEach(l -> why.append("    ").append(name).append(l, 0, Math.min(l.length(), 260)).append("\n"));
            }
        }
        for (int i = 0; i < runtimes.size(); i++) {
            List<String> loud = runtimes.get(i).stderr().stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                    .toList();
            why.append("rt").append(i).append(" warnings and errors (").append(loud.size()).append("):\n");
            loud.subList(Math.max(0, loud.size() - 25), loud.size())
                    .forEach(l -> why.append("    ").append(l, 0, Math.min(l.length(), 260)).append("\n"));
        }
        return why.toString();
    }

    private long logLinesOfAll(String text) {
        return runtimes.stream().mapToLong(ar -> logLines(ar, text)).sum();
    }

    /** Live sample-plugin children of runtimes in this rig (by their plugins dir on the command line). */
    long pluginProcessesLeft() {
        return Processes.liveWithCommandLineContaining(dir.resolve("plugins").toString()).size();
    }

    /** Log lines of {@code ar} containing {@code text}: what the runtime said it did (local fires, skips, misfires). */
    static long logLines(CliProcess ar, String text) {
        return ar.stderr().stream().filter(l -> l.contains(text)).count();
    }

    static boolean eventually(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        return Processes.eventually(timeout, condition);
    }

    List<CliProcess> runtimes() {
        return runtimes;
    }

    String logs(CliProcess ar) {
        List<String> lines = ar.stderr();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** Keeps every runtime's log beside the reports (target/fault-report/<scenario>-<runtime>.log), for the why. */
    void saveLogs(String scenario) throws IOException {
        Path out = Files.createDirectories(Path.of("target", "fault-report"));
        for (int i = 0; i < runtimes.size(); i++) {
            Files.write(out.resolve(scenario + "-" + i + ".log"), runtimes.get(i).stderr());
        }
    }

    @Override
    public void close() {
        runtimes.forEach(CliProcess::close);
    }

    static StoredResults read(Connection connection) throws IOException, JetStreamApiException {
        return StoredResults.read(connection, RESULTS_STREAM);
    }
}
