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
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.run.AssessmentResult;
import io.ccf.ar.runtime.run.RunReport;

/** A plugin whose Execute never answers: the call deadline turns each into a clear error, and the plugin stays usable. */
class PluginHangFaultTest {
    private static final int CYCLES = 10;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void javaPluginHangingInExecute() throws Exception {
        scenario("plugin-hang-java", "Java sample plugin sleeps 10 min in Execute, callTimeout 1s, "
                + CYCLES + " hanging runs each followed by a normal one", f -> f.packages.jar("sample", "1.0.0", TestPackages.sampleJar()),
                Map.of("subjects", "1", "sleep_ms", "600000"), Map.of("subjects", "1"), 1);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void goPluginHangingInExecute() throws Exception {
        scenario("plugin-hang-go", "Go plugin sleeps 10 min in Execute, callTimeout 1s, "
                + CYCLES + " hanging runs (3 subjects) each followed by a normal one", f -> f.packages.executable("goplugin", "0.1.0", GoInterop.goPlugin()),
                Map.of("sleep_ms", "600000"), Map.of(), 3);
    }

    private void scenario(String id, String description, java.util.function.Function<PluginFaultFixture, PackageRef> install,
                          Map<String, String> hang, Map<String, String> normal, int subjects) throws Exception {
        PluginHostOptions options = PluginHostOptions.builder().callTimeout(Duration.ofSeconds(1)).build();
        try (PluginFaultFixture f = new PluginFaultFixture(dir, options, subjects)) {
            PackageRef ref = install.apply(f);
            long hung = 0;
            long deadlineErrors = 0;
            long usableAfter = 0;
            java.util.Set<Long> pids = new java.util.TreeSet<>();
            for (int i = 0; i < CYCLES; i++) {
                int before = f.results.size();
                RunReport hanging = f.run(PluginFaultFixture.job(ref, hang), Duration.ofSeconds(60));
                if (hanging == null) {
                    hung++;
                    break;
                }
                for (AssessmentResult r : f.results.subList(before, f.results.size())) {
                    if (!r.ok() && r.error().contains("did not answer Execute within 1000 ms (callTimeout)")) {
                        deadlineErrors++;
                    }
                }
                pids.add(f.plugins.client(ref).pid().orElse(-1));
                RunReport ok = f.run(PluginFaultFixture.job(ref, normal), Duration.ofSeconds(60));
                if (ok != null && ok.failedResults() == 0 && ok.results() == subjects) {
                    usableAfter++;
                }
            }
            f.close();
            long left = f.processesLeft(Duration.ofSeconds(10));
            FaultReport.scenario(id, description)
                    .count("hangingRuns", CYCLES).count("hungRuns", hung).count("deadlineErrorResults", deadlineErrors)
                    .count("normalRunsSucceededAfter", usableAfter).count("pluginProcessesUsed", pids.size())
                    .count("processesLeft", left)
                    .write(PluginHangFaultTest.class);
            assertEquals(0, hung);
            assertEquals((long) CYCLES * subjects, deadlineErrors, f.results.toString());
            assertEquals(CYCLES, usableAfter);
            assertEquals(1, pids.size(), "one process throughout: a hung call does not cost a restart " + pids);
            assertTrue(left == 0, "processes left: " + left);
        }
    }
}
