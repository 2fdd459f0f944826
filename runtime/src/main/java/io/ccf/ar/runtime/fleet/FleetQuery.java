package io.ccf.ar.runtime.fleet;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;

/**
 * Asks every runtime for its status: one request on {@code runtime.status} with a private inbox as reply subject,
 * then gathers the replies for a window ({@code Connection.request} would keep only the first).
 */
public final class FleetQuery {
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(1);

    private final Connection connection;
    private final StatusCodec codec = new StatusCodec();

    /** The replies: one status per runtime id (the latest if one answered twice), and what could not be read. */
    public record Replies(List<RuntimeStatus> runtimes, List<String> unreadable) {
        public Replies {
            runtimes = List.copyOf(runtimes);
            unreadable = List.copyOf(unreadable);
        }
    }

    public FleetQuery(Connection connection) {
        this.connection = connection;
    }

    public Replies ask(Duration window) throws InterruptedException {
        String inbox = connection.createInbox();
        Subscription replies = connection.subscribe(inbox);
        try {
            connection.publish(FleetSubjects.STATUS, inbox, new byte[0]);
            connection.flush(window.isZero() ? Duration.ofSeconds(1) : window);
            Map<String, RuntimeStatus> byId = new LinkedHashMap<>();
            List<String> unreadable = new ArrayList<>();
            long deadline = System.nanoTime() + window.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Message reply = replies.nextMessage(Duration.ofNanos(left));
                if (reply == null) {
                    break;
                }
                try {
                    RuntimeStatus status = codec.decode(reply.getData());
                    byId.put(status.runtimeId(), status);
                } catch (IOException e) {
                    unreadable.add(e.getMessage());
                }
            }
            List<RuntimeStatus> sorted = new ArrayList<>(byId.values());
            sorted.sort(Comparator.comparing(RuntimeStatus::runtimeId));
            return new Replies(sorted, unreadable);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("NATS did not confirm the status request within " + window.toMillis() + " ms", e);
        } finally {
            replies.unsubscribe();
        }
    }
}
