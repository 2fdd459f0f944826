package io.ccf.ar.runtime.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.run.RunReport;
import io.ccf.ar.runtime.testing.Processes;

/**
 * A plugin that floods its stdout (after the handshake) and stderr: 1 M lines on each plus one 50 MB
 * line without a break, 250 MB in all, while it serves. The host forwards at most the rate limit,
 * counts the rest in notices, keeps its heap, and the plugin still answers.
 */
class PluginFloodFaultTest {
    private static final int LINES_PER_STREAM = 1_000_000;
    private static final long GIANT_LINE = 50_000_000;
    private static final String LINE = "flood 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 01234567";

    @TempDir
    Path dir;
    private final Logger pluginLog = (Logger) LoggerFactory.getLogger("plugin.flood");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void capture() {
        events.start();
        pluginLog.addAppender(events);
        pluginLog.setLevel(Level.INFO);
        pluginLog.setAdditive(false); // keep the test output readable
    }

    @AfterEach
    void release() {
        pluginLog.detachAppender(events);
        pluginLog.setLevel(null);
        pluginLog.setAdditive(true);
    }

    /** The sample plugin wrapped in a shell script that floods both streams while the plugin serves. */
    private PackageRef floodingPlugin(TestPackages packages) throws IOException {
        Path jar = Files.createDirectories(dir.resolve("jar")).resolve("sample.jar");
        Files.copy(TestPackages.sampleJar(), jar, StandardCopyOption.REPLACE_EXISTING);
        String java = ProcessHandle.current().info().command().orElseThrow();
        String stderrFlood = "( head -c " + GIANT_LINE + " /dev/zero | tr '\\0' z; echo; yes '" + LINE + "' | head -n "
                + LINES_PER_STREAM + " ) >&2 &\n";
        String stdoutFlood = "'" + java + "' -Xlog:disable -Xlog:all=warning:stderr -XX:+UseSerialGC -jar '" + jar + "'"
                + " | { IFS= read -r handshake; printf '%s\\n' \"$handshake\"; yes '" + LINE + "' | head -n "
                + LINES_PER_STREAM + "; exec cat; }\n";
        return packages.script("flood", "1.0", stderrFlood + stdoutFlood);
    }

    /** A copy of the captured events: the appender adds to its list under its own lock while the flood runs. */
    private List<ILoggingEvent> logged() {
        synchronized (events) {
            return List.copyOf(events.list);
        }
    }

    private long suppressedInNotices() {
        return logged().stream().filter(e -> e.getFormattedMessage().startsWith("suppressed "))
                .mapToLong(e -> kv(e, "suppressed")).sum();
    }

    private long notices() {
        return logged().stream().filter(e -> e.getFormattedMessage().startsWith("suppressed ")).count();
    }

    private long forwarded() {
        return logged().size() - notices();
    }

    private static long kv(ILoggingEvent e, String key) {
        for (KeyValuePair p : e.getKeyValuePairs() == null ? List.<KeyValuePair>of() : e.getKeyValuePairs()) {
            if (p.key.equals(key)) {
                return Long.parseLong(String.valueOf(p.value));
            }
        }
        return 0;
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void stdoutAndStderrFloodIsCutRateLimitedAndCounted() throws Exception {
        long heapBefore = usedHeapAfterGc();
        long expectedLines = 2L * LINES_PER_STREAM + 1; // + the giant line
        try (PluginFaultFixture f = new PluginFaultFixture(dir.resolve("plugins"), PluginHostOptions.defaults(), 8)) {
            PackageRef ref = floodingPlugin(f.packages);
            long t0 = System.nanoTime();
            RunReport during = f.run(PluginFaultFixture.job(ref, Map.of()), Duration.ofMinutes(2));
            // every line the plugin wrote is either forwarded or counted in a notice
            boolean allAccounted = Processes.eventually(Duration.ofMinutes(3),
                    () -> forwarded() + suppressedInNotices() >= expectedLines);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long peakHeapAfterGc = usedHeapAfterGc();
            RunReport after = f.run(PluginFaultFixture.job(ref, Map.of()), Duration.ofMinutes(1));
            long giantLines = logged().stream().filter(e -> e.getFormattedMessage().contains("...(truncated ")).count();
            long longestForwarded = logged().stream().mapToLong(e -> e.getFormattedMessage().length()).max().orElse(0);
            f.close();
            long left = f.processesLeft(Duration.ofSeconds(10));
            long heapGrowthMiB = (peakHeapAfterGc - heapBefore) >> 20;
            long forwardedLimit = 200 + (long) Math.ceil(100 * seconds) + 1;
            FaultReport.scenario("plugin-output-flood", "shell-wrapped Java sample plugin writes 1M lines on stdout after the"
                            + " handshake and 1M lines plus one 50 MB line on stderr (about 250 MB) while serving")
                    .count("linesWritten", expectedLines).count("linesForwarded", forwarded())
                    .count("linesSuppressed", suppressedInNotices()).count("suppressionNotices", notices())
                    .count("truncatedLines", giantLines).count("longestForwardedChars", longestForwarded)
                    .count("heapGrowthMiB", heapGrowthMiB)
                    .count("runsSucceededDuringAndAfter", (during != null && during.failedResults() == 0 ? 1 : 0)
                            + (after != null && after.failedResults() == 0 ? 1 : 0))
                    .count("processesLeft", left)
                    .note("floodSeconds", String.format("%.1f", seconds))
                    .write(PluginFloodFaultTest.class);
            assertTrue(allAccounted, "forwarded " + forwarded() + " + suppressed " + suppressedInNotices() + " < " + expectedLines);
            // the plugin's own few log lines (start-up, per-call debug) come on top of the flood
            long accounted = forwarded() + suppressedInNotices();
            assertTrue(accounted >= expectedLines && accounted <= expectedLines + 50, "every line forwarded or counted, once: " + accounted);
            assertTrue(forwarded() <= forwardedLimit, forwarded() + " lines forwarded in " + seconds + " s; limit " + forwardedLimit);
            assertTrue(notices() >= 1 && notices() <= Math.ceil(seconds) + 2, notices() + " notices in " + seconds + " s");
            assertTrue(giantLines >= 1 || suppressedInNotices() > 0, "the giant line was cut (or suppressed)");
            assertTrue(longestForwarded <= 8192 + 64, "a forwarded line is at most 8 KiB: " + longestForwarded);
            assertTrue(heapGrowthMiB < 64, "heap grew by " + heapGrowthMiB + " MiB");
            assertTrue(during != null && during.failedResults() == 0, "answers during the flood: " + f.results);
            assertTrue(after != null && after.failedResults() == 0, "answers after the flood: " + f.results);
            assertEquals(0, left);
        }
    }
}
