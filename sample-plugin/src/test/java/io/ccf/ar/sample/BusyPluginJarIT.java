package io.ccf.ar.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.sdk.testing.PluginAssertions;
import io.ccf.ar.sdk.testing.PluginHarness;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar ({@code target/sample.jar}) as the runtime runs it, {@code java -jar} through
 * the go-plugin handshake. Runs in the integration-test phase, after the jar is built.
 */
class BusyPluginJarIT {
    static final Path JAR = Path.of(System.getProperty("ar.sampleJar", "target/sample.jar"));

    @Test
    void theJarServesARunAndLogsAndStops() {
        long pid;
        try (PluginHarness plugin = PluginHarness.forJar(JAR).config("region", "eu").start()) {
            pid = plugin.pid();
            List<ExecuteResult> all = plugin.executeAll();
            assertEquals(3, all.size());
            for (int i = 0; i < 3; i++) {
                PluginAssertions.assertSucceeded(all.get(i));
                PluginAssertions.assertObservationFor(all.get(i), "busy-vm-" + i);
            }
            // the jar's own main names the plugin "busy"
            String line = plugin.awaitLogLine("\"@message\":\"assessed subject\"");
            assertTrue(line.contains("\"@module\":\"busy\""), line);
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }
}
