package io.ccf.ar.runtime.messaging;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.ccf.ar.proto.Subject;
import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.run.AssessmentResult;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfo;

/** Results, settings and stream reads shared by the messaging tests. */
final class ResultTestSupport {
    static final String STREAM = "AR_RESULTS_TEST";
    /** Fast reconnects, so tests do not wait for the daemon's default. */
    static final Duration RECONNECT_WAIT = Duration.ofMillis(250);

    private ResultTestSupport() {
    }

    static NatsSettings settings(Path dir, int replicas) {
        return new NatsSettings(STREAM, "AR_SCHEDULE_TEST", replicas, Duration.ofMinutes(2), Duration.ofSeconds(30), 5,
                Duration.ofMinutes(1), dir.resolve("spool"), Duration.ofSeconds(10),
                NatsSettings.DEFAULT_SPOOL_MAX_BYTES);
    }

    /** Result number {@code n} of run {@code runId}; its id is {@link #id}. */
    static AssessmentResult result(String runId, int n) {
        Instant start = Instant.parse("2024-05-01T10:00:00Z").plusMillis(n);
        return new AssessmentResult(runId, "rt-test", "plan-1/task-1", "plan-1", "ap-1", "comp", "ctl", "task-1", "act-1",
                "busy", "busy", "1.0.0", AssessmentResult.Status.SUCCESS, "",
                Subject.newBuilder().setId("subject-" + n).setTitle("Subject " + n).build(),
                List.of(), List.of(), List.of(), List.of(), start, start.plusMillis(5), null);
    }

    /** The id of {@link #result}: derived from the run, the activity and the subject, as the runner derives it. */
    static String id(String runId, int n) {
        return io.ccf.ar.runtime.run.ResultIds.forRun(runId, "act-1", "subject-" + n, 0);
    }

    static List<String> ids(String runId, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(id(runId, i));
        }
        return out;
    }

    /** Polls {@code condition} until it holds (for states nothing signals); fails with {@code what} at the deadline. */
    static void awaitTrue(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    static long streamCount(Connection connection, String stream) {
        try {
            StreamInfo info = connection.jetStreamManagement().getStreamInfo(stream);
            return info.getStreamState().getMsgCount();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The Nats-Msg-Id of every message in the stream, in stream order. */
    static List<String> streamMsgIds(Connection connection, String stream) throws Exception {
        JetStreamManagement jsm = connection.jetStreamManagement();
        StreamInfo info = jsm.getStreamInfo(stream);
        List<String> out = new ArrayList<>();
        for (long seq = info.getStreamState().getFirstSequence(); seq <= info.getStreamState().getLastSequence(); seq++) {
            try {
                MessageInfo m = jsm.getMessage(stream, seq);
                out.add(m.getHeaders() == null ? "<no msg id>" : m.getHeaders().getFirst("Nats-Msg-Id"));
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != 10037) { // no message found (deleted)
                    throw e;
                }
            }
        }
        return out;
    }
}
