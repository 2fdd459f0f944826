package io.ccf.ar.runtime.run;

/** Where results go: the log, stdout (run-once), NATS. Must be thread-safe. */
public interface ResultSink {
    void publish(AssessmentResult result);
}
