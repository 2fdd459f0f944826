package io.ccf.ar.runtime.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Results as log lines: the daemon's sink when no event bus is configured. */
public final class LoggingResultSink implements ResultSink {
    private static final Logger log = LoggerFactory.getLogger("results");

    @Override
    public void publish(AssessmentResult r) {
        var event = (r.ok() ? log.atInfo() : log.atWarn())
                .addKeyValue("run", r.runId())
                .addKeyValue("job", r.jobId())
                .addKeyValue("activity", r.activityId())
                .addKeyValue("subject", r.subject().getId())
                .addKeyValue("status", r.status())
                .addKeyValue("observations", r.observations().size())
                .addKeyValue("findings", r.findings().size())
                .addKeyValue("durationMs", r.durationMs());
        if (!r.error().isEmpty()) {
            event = event.addKeyValue("error", r.error());
        }
        event.log("result");
    }
}
