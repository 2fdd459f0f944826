package io.ccf.ar.runtime.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.ccf.ar.runtime.config.ExecutionSettings;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.run.AssessmentResult;
import io.ccf.ar.runtime.run.JobRunner;
import io.ccf.ar.runtime.run.JsonLinesResultSink;
import io.ccf.ar.runtime.run.RunReport;
import io.ccf.ar.runtime.run.SubjectSelection;

/**
 * Runs jobs once, now, and prints each result as one JSON line as soon as it exists ({@code ar run-once},
 * {@code ar run-plugin}); keeps the results that failed, for the exit code and the summary on stderr.
 */
final class JsonLinesRun implements AutoCloseable {
    private final List<AssessmentResult> failed = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "execute");
        t.setDaemon(true);
        return t;
    });
    private final JobRunner runner;

    JsonLinesRun(PluginManager plugins, ExecutionSettings settings, String runtimeId, PrintStream out) {
        JsonLinesResultSink lines = new JsonLinesResultSink(out);
        this.runner = new JobRunner(plugins, result -> {
            if (!result.ok()) {
                failed.add(result);
            }
            lines.publish(result);
        }, settings, runtimeId, pool, Clock.systemDefaultZone());
    }

    RunReport run(JobDefinition job, SubjectSelection subjects) {
        return runner.run(job, subjects);
    }

    /** The results so far that were not SUCCESS without error. */
    List<AssessmentResult> failed() {
        return List.copyOf(failed);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
