package io.ccf.ar.runtime.config;

import static io.ccf.ar.runtime.config.TestFiles.problemsOf;
import static io.ccf.ar.runtime.config.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pluginHost.maxMessageSize: the size syntax of nats.spoolMaxSize, 1KiB to 2GiB-1, default 64MiB. */
class PluginHostMaxMessageSizeTest {
    @TempDir
    Path dir;
    private final RuntimeConfigLoader loader = new RuntimeConfigLoader(Map.of(), () -> "test-host");

    private List<String> problems(String yaml) {
        Path file = write(dir, "config.yml", yaml);
        return problemsOf(() -> loader.load(file)).stream().map(p -> p.replace(file.toString(), "config.yml")).toList();
    }

    @Test
    void defaultAndUnits() {
        assertEquals(64L << 20, loader.load(write(dir, "config.yml", "runtimeId: x\n")).pluginHost().maxMessageSize());
        assertEquals(16L << 20, loader.load(write(dir, "config.yml", "pluginHost:\n  maxMessageSize: 16MiB\n"))
                .pluginHost().maxMessageSize());
        assertEquals(100_000_000L, loader.load(write(dir, "config.yml", "pluginHost:\n  maxMessageSize: 100MB\n"))
                .pluginHost().maxMessageSize());
    }

    @Test
    void outOfRangeAndGarbageAreErrors() {
        assertEquals(List.of("config.yml:2:19: pluginHost.maxMessageSize: must be at most 2147483647 bytes (2GiB - 1,"
                + " gRPC's limit), got \"2GiB\""), problems("pluginHost:\n  maxMessageSize: 2GiB\n"));
        assertEquals(List.of("config.yml:2:19: pluginHost.maxMessageSize: must be at least 1024 bytes, got \"10B\""),
                problems("pluginHost:\n  maxMessageSize: 10B\n"));
        assertEquals(List.of("config.yml:2:19: pluginHost.maxMessageSize: invalid size \"big\" (use a number of bytes"
                + " with an optional unit: B, KB, KiB, MB, MiB, GB, GiB, TB, TiB)"), problems("pluginHost:\n  maxMessageSize: big\n"));
    }
}
