package io.ccf.ar.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Every result published on a subject (job.result), as a plain NATS subscriber sees it, in order. */
final class ResultWatch {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BlockingQueue<JsonNode> results = new LinkedBlockingQueue<>();

    private ResultWatch() {
    }

    static ResultWatch subscribe(Connection connection, String subject) throws Exception {
        ResultWatch watch = new ResultWatch();
        connection.createDispatcher(m -> {
            try {
                watch.results.add(JSON.readTree(m.getData()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).subscribe(subject);
        connection.flush(Duration.ofSeconds(5));
        return watch;
    }

    /** Takes results until one matches; fails after {@code timeout} with {@code context} (e.g. the runtime's log). */
    JsonNode await(Predicate<JsonNode> match, Duration timeout, Supplier<String> context) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode r = results.poll(200, TimeUnit.MILLISECONDS);
            if (r != null && match.test(r)) {
                return r;
            }
        }
        throw new AssertionError("no matching result within " + timeout + "; " + context.get());
    }
}
