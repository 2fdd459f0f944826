package io.ccf.ar.runtime.testing;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.nats.client.Connection;

/** Every result published on {@code job.result}, as a plain NATS subscriber (as the original's consumers are) sees it. */
public final class ResultQueue {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BlockingQueue<JsonNode> results = new LinkedBlockingQueue<>();

    private ResultQueue() {
    }

    public static ResultQueue subscribe(Connection connection) throws Exception {
        ResultQueue queue = new ResultQueue();
        connection.createDispatcher(m -> {
            try {
                queue.results.add(JSON.readTree(m.getData()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).subscribe("job.result");
        connection.flush(Duration.ofSeconds(5));
        return queue;
    }

    public JsonNode poll(long timeout, TimeUnit unit) throws InterruptedException {
        return results.poll(timeout, unit);
    }

    /** Results received and not yet taken. */
    public Stream<JsonNode> stream() {
        return results.stream();
    }

    /** Takes results until one matches; fails after {@code timeout} with {@code context} (e.g. a daemon's log). */
    public JsonNode await(Predicate<JsonNode> match, Duration timeout, Supplier<String> context) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode r = results.poll(200, TimeUnit.MILLISECONDS);
            if (r != null && match.test(r)) {
                return r;
            }
        }
        throw new AssertionError("no matching result within " + timeout + context.get());
    }
}
