package io.ccf.ar.runtime.messaging;

import static io.ccf.ar.runtime.messaging.ResultTestSupport.STREAM;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.streamMsgIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.ExecutionSettings;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.config.SelectorSpec;
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.run.JobRunner;
import io.ccf.ar.runtime.run.RunOutcome;
import io.ccf.ar.runtime.run.RunReport;
import io.ccf.ar.runtime.testing.NatsServerFixture;

/**
 * A run (real sample plugin, real nats-server) returns, and so has its trigger acked, only once each of its results is
 * durable: stored by JetStream, or in the spool when the server hangs with the results in flight.
 */
class RunResultsDurableTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aRunEndsOnlyOnceItsResultsAreStoredOrSpooled() throws Exception {
        new TestPackages(dir).jar("sample", "1.0.0", TestPackages.sampleJar());
        PluginManager plugins = new PluginManager(new TestPackages(dir).layout(), PluginHostOptions.defaults());
        ExecutorService pool = Executors.newCachedThreadPool();
        NatsSettings settings = ResultTestSupport.settings(dir, 1);
        try (NatsServerFixture nats = NatsServerFixture.start(dir.resolve("nats"));
             NatsLink link = NatsConnections.connect(nats.url(), "rt-test", Duration.ofSeconds(5), ResultTestSupport.RECONNECT_WAIT);
             JetStreamResultSink sink = JetStreamResultSink.open(link, settings)) {
            StreamSetup.ensureResultsStream(link.connection().orElseThrow(), settings);
            JobRunner runner = new JobRunner(plugins, sink, new ExecutionSettings(Duration.ofMinutes(1), 8, Duration.ofSeconds(5)),
                    "rt-1", pool, Clock.systemUTC());
            JobDefinition job = new JobDefinition("plan-1/task-1", "plan-1", "Task", "* * * * * *", "comp", "ctl", "ap-1",
                    "task-1", List.of(new ActivityDefinition("act-1", "Activity", SelectorSpec.EMPTY, "busy", "sample",
                    "1.0.0", Map.of("subjects", "50"))));

            RunReport healthy = runner.run(job, "run-up");
            assertEquals(RunOutcome.SUCCEEDED, healthy.outcome());
            // no waiting here: the run returned, so its 50 results are in the stream
            assertEquals(50, new HashSet<>(streamMsgIds(link.connection().orElseThrow(), STREAM)).size());
            assertEquals(50, sink.publishedDirect());

            nats.freeze(); // acks stop coming; the client still sees a connection, so the results go in flight
            RunReport hung = runner.run(job, "run-hung");
            assertEquals(RunOutcome.SUCCEEDED, hung.outcome());
            assertEquals(0, sink.inFlight(), "nothing left in flight when the run returned");
            assertEquals(50, sink.pending(), "every result of the run in the spool when it returned");
            assertEquals(50, sink.publishedDirect());
            assertEquals(0, sink.lost());
        } finally {
            plugins.stop();
            pool.shutdownNow();
        }
    }
}
