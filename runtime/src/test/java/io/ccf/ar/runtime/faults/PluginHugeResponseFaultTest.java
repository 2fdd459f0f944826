package io.ccf.ar.runtime.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginCallException;
import io.ccf.ar.runtime.plugin.PluginClient;
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.run.RunReport;
import io.grpc.Status;

/**
 * Responses above pluginHost.maxMessageSize fail their call and nothing else; below it they arrive.
 * The sample plugin's Evaluate with {@code subjects=N} answers about 50 bytes per subject.
 */
class PluginHugeResponseFaultTest {
    private static final int LIMIT = 256 * 1024;
    private static final int CYCLES = 10;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void responsesAboveTheLimitFailTheCallOnly() throws Exception {
        PluginHostOptions options = PluginHostOptions.builder().maxMessageSize(LIMIT).build();
        try (PluginFaultFixture f = new PluginFaultFixture(dir, options, 8)) {
            PackageRef ref = f.packages.jar("sample", "1.0.0", TestPackages.sampleJar());
            PluginClient client = f.plugins.client(ref);
            long tooBigErrors = 0;
            long deliveredBelow = 0;
            java.util.Set<Long> pids = new java.util.TreeSet<>();
            for (int i = 0; i < CYCLES; i++) {
                int before = f.results.size();
                RunReport huge = f.run(PluginFaultFixture.job(ref, Map.of("subjects", "100000")), Duration.ofMinutes(1));
                assertEquals(1, huge.results());
                String error = f.results.get(before).error();
                if (error.contains("larger than the host accepts (" + LIMIT + " bytes, pluginHost.maxMessageSize)")
                        && error.contains("plugin sample@1.0.0 Evaluate")) {
                    tooBigErrors++;
                }
                pids.add(client.pid().orElse(-1));
                RunReport small = f.run(PluginFaultFixture.job(ref, Map.of("subjects", "1000")), Duration.ofMinutes(1));
                if (small.results() == 1000 && small.failedResults() == 0) {
                    deliveredBelow++;
                }
                pids.add(client.pid().orElse(-1));
            }
            PluginCallException direct = assertThrows(PluginCallException.class, () -> client.evaluate(
                    EvaluateInput.newBuilder().putConfiguration("subjects", "100000").build()));
            f.close();
            long left = f.processesLeft(Duration.ofSeconds(10));
            FaultReport.scenario("plugin-huge-response", "Java sample plugin answers Evaluate with 100000 subjects"
                            + " (about 5 MB) under maxMessageSize 256KiB, then 1000 subjects (about 50 KB), " + CYCLES + " times")
                    .count("hugeResponses", CYCLES).count("tooLargeErrorResults", tooBigErrors)
                    .count("runsBelowLimitDelivered", deliveredBelow).count("pluginProcessesUsed", pids.size())
                    .count("processesLeft", left)
                    .write(PluginHugeResponseFaultTest.class);
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, direct.code());
            assertTrue(direct.getMessage().contains("pluginHost.maxMessageSize"), direct.getMessage());
            assertEquals(CYCLES, tooBigErrors, f.results.get(0).error());
            assertEquals(CYCLES, deliveredBelow);
            assertEquals(1, pids.size(), "the plugin kept running: " + pids);
            assertEquals(0, left);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theDefaultLimitLetsAFewMegabytesThrough() throws Exception {
        assertEquals(64 << 20, PluginHostOptions.defaults().maxMessageSize());
        try (PluginFaultFixture f = new PluginFaultFixture(dir, PluginHostOptions.defaults(), 8)) {
            PackageRef ref = f.packages.jar("sample", "1.0.0", TestPackages.sampleJar());
            assertEquals(100_000, f.plugins.client(ref).evaluate(
                    EvaluateInput.newBuilder().putConfiguration("subjects", "100000").build()).getSubjectsCount());
        }
    }
}
