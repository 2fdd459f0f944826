package io.ccf.ar.runtime.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.plugin.GoInterop;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.run.RunReport;

/**
 * A plugin that crashes on every call, run after run: every crash is a failure result (never a hung
 * run), and the next run finds the plugin started again.
 */
class PluginCrashFaultTest {
    private static final int CYCLES = 100;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void javaPluginCrashingInEveryExecute() throws Exception {
        try (PluginFaultFixture f = new PluginFaultFixture(dir, PluginFaultFixture.noBackoff().build(), 1)) {
            PackageRef ref = f.packages.jar("sample", "1.0.0", TestPackages.sampleJar());
            Counts c = cycles(f, ref, Map.of("subjects", "1", "exit_on_execute", "true"), 1);
            RunReport healthy = f.run(PluginFaultFixture.job(ref, Map.of("subjects", "1")), Duration.ofMinutes(1));
            f.close();
            long left = f.processesLeft(Duration.ofSeconds(10));
            FaultReport.scenario("plugin-crash-every-call-java", "Java sample plugin exits (halt 3) in every Execute, "
                            + CYCLES + " runs of 1 subject, no restart backoff")
                    .count("runs", CYCLES).count("resultsExpected", CYCLES).count("failureResults", c.failures)
                    .count("hungRuns", c.hung).count("evaluateFailures", c.evaluateFailures)
                    .count("restarts", c.distinctCrashedPids).count("processesLeft", left)
                    .write(PluginCrashFaultTest.class);
            assertEquals(CYCLES, c.failures);
            assertEquals(0, c.hung);
            assertEquals(0, c.evaluateFailures, "the plugin was back for every run's Evaluate");
            assertEquals(CYCLES, c.distinctCrashedPids, "each crash was a fresh process");
            assertTrue(healthy != null && healthy.failedResults() == 0, "usable after the crashes: " + healthy);
            assertEquals(0, left);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void goPluginPanickingInEveryExecute() throws Exception {
        try (PluginFaultFixture f = new PluginFaultFixture(dir, PluginFaultFixture.noBackoff().build(), 1)) {
            PackageRef ref = f.packages.executable("goplugin", "0.1.0", GoInterop.goPlugin());
            // the Go plugin always evaluates 3 subjects: 3 crashes (and 3 restarts) per run
            Counts c = cycles(f, ref, Map.of("panic", "true"), 3);
            RunReport healthy = f.run(PluginFaultFixture.job(ref, Map.of()), Duration.ofMinutes(1));
            f.close();
            long left = f.processesLeft(Duration.ofSeconds(10));
            FaultReport.scenario("plugin-crash-every-call-go", "Go go-plugin plugin panics in every Execute, "
                            + CYCLES + " runs of 3 subjects (concurrency 1), no restart backoff")
                    .count("runs", CYCLES).count("resultsExpected", 3L * CYCLES).count("failureResults", c.failures)
                    .count("hungRuns", c.hung).count("evaluateFailures", c.evaluateFailures)
                    .count("restarts", c.distinctCrashedPids).count("processesLeft", left)
                    .write(PluginCrashFaultTest.class);
            assertEquals(3L * CYCLES, c.failures);
            assertEquals(0, c.hung);
            assertEquals(0, c.evaluateFailures);
            assertEquals(3L * CYCLES, c.distinctCrashedPids, "each crash was a fresh process");
            assertTrue(healthy != null && healthy.failedResults() == 0, "usable after the crashes: " + healthy);
            assertEquals(0, left);
        }
    }

    private record Counts(long failures, long hung, long evaluateFailures, long distinctCrashedPids) {
    }

    private static Counts cycles(PluginFaultFixture f, PackageRef ref, Map<String, String> config, int subjects)
            throws Exception {
        long hung = 0;
        for (int i = 0; i < CYCLES; i++) {
            RunReport report = f.run(PluginFaultFixture.job(ref, config), Duration.ofMinutes(1));
            if (report == null) {
                hung++;
                break;
            }
            assertEquals(subjects, report.results(), "run " + i + ": " + f.results.subList(Math.max(0, f.results.size() - 3), f.results.size()));
        }
        long evaluateFailures = f.results.stream().filter(r -> r.error() != null && r.error().startsWith("Evaluate:")).count();
        f.results.stream().filter(r -> r.ok() || !r.error().contains("died during Execute")).findFirst()
                .ifPresent(r -> { throw new AssertionError("not a crash result: " + r); });
        return new Counts(f.failures(), hung, evaluateFailures, f.pidsInErrors().size());
    }
}
