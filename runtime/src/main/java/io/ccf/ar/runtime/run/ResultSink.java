package io.ccf.ar.runtime.run;

/** Where results go: the log, stdout (run-once), NATS. Must be thread-safe. */
public interface ResultSink {
    void publish(AssessmentResult result);

    /**
     * Returns once every result of run {@code runId} handed to {@link #publish} is durable (stored by the event bus,
     * kept on local disk, or counted as lost), so that the run's trigger may be acknowledged. A sink that makes each
     * result durable inside {@code publish} (the default) returns at once. Never throws; keeps the caller's
     * interrupt.
     */
    default void awaitDurable(String runId) {
    }
}
