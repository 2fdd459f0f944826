package io.ccf.ar.runtime.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.schedule.Trigger;
import io.ccf.ar.runtime.schedule.TriggerHandler;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.PublishAck;

/**
 * Two runtimes on a 3-node cluster with an R3 schedule stream; the stream leader is killed while triggers are being
 * published. Every trigger JetStream acknowledged is handled at least once; a trigger is handled twice only when
 * JetStream delivered it again. And an ack sent while the consumer has no leader is sent again until confirmed, so the
 * fire is not delivered a second time.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JetStreamTriggerQueueClusterTest {
    private static final String STREAM = "AR_SCHEDULE_CLUSTER";
    private static final int TRIGGERS = 200;
    private static final int KILL_AT = 80;

    @Test
    void everyStoredTriggerIsHandledWhenTheStreamLeaderDies(@TempDir Path dir) throws Exception {
        try (Cluster cluster = new Cluster(dir, settings(dir, Duration.ofSeconds(2), Duration.ofSeconds(20)))) {
            Map<Trigger, AtomicInteger> handled = new ConcurrentHashMap<>();
            Set<Trigger> redelivered = ConcurrentHashMap.newKeySet();
            List<JetStreamTriggerQueue> runtimes = new ArrayList<>();
            for (String runtime : List.of("runtime-a", "runtime-b")) {
                JetStreamTriggerQueue queue = cluster.runtime(runtime);
                queue.subscribe(new TriggerHandler() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> handle(Trigger t) {
                        handled.computeIfAbsent(t, k -> new AtomicInteger()).incrementAndGet();
                        return CompletableFuture.runAsync(() -> { },
                                CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
                    }

                    @Override
                    public void taken(Trigger t, long delivery) {
                        if (delivery > 1) {
                            redelivered.add(t);
                        }
                    }
                });
                runtimes.add(queue);
            }
            JetStreamManagement jsm = cluster.management();

            Map<Trigger, CompletableFuture<PublishAck>> publishes = new ConcurrentHashMap<>();
            String killed = null;
            long publishStart = System.nanoTime();
            for (int i = 0; i < TRIGGERS; i++) {
                if (i == KILL_AT) {
                    killed = jsm.getStreamInfo(STREAM).getClusterInfo().getLeader();
                    cluster.kill(killed);
                }
                Trigger trigger = new Trigger("job-" + (i % 5), Instant.now().truncatedTo(ChronoUnit.MILLIS));
                publishes.put(trigger, runtimes.get(i % 2).publishAsync(trigger));
                // Paces the publisher (about 20 triggers a second), as a schedule would; nothing waits on it.
                Thread.sleep(50);
            }
            Set<Trigger> stored = new HashSet<>();
            int failed = 0;
            for (Map.Entry<Trigger, CompletableFuture<PublishAck>> p : publishes.entrySet()) {
                try {
                    p.getValue().get(30, TimeUnit.SECONDS);
                    stored.add(p.getKey());
                } catch (ExecutionException | TimeoutException e) {
                    failed++;
                }
            }
            long publishMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - publishStart);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!handled.keySet().containsAll(publishes.keySet()) && System.nanoTime() < deadline) {
                Thread.sleep(100); // polls: nothing signals "all handled"
            }
            // stored ones through the shared consumer, the others run by their runtime itself (LOCAL mode)
            Set<Trigger> missing = new HashSet<>(publishes.keySet());
            missing.removeAll(handled.keySet());
            long duplicates = handled.values().stream().mapToInt(n -> n.get() - 1).filter(n -> n > 0).sum();
            Set<Trigger> handledTwiceWithoutRedelivery = new HashSet<>();
            handled.forEach((t, n) -> {
                if (n.get() > 1 && !redelivered.contains(t)) {
                    handledTwiceWithoutRedelivery.add(t);
                }
            });
            long notStoredButHandled = handled.keySet().stream().filter(t -> !stored.contains(t)).count();
            System.out.printf("3-node cluster, R3 stream, leader %s killed after %d of %d triggers (%d ms):"
                            + " %d stored, %d publishes failed, %d handled, %d missing, %d duplicate handlings,"
                            + " %d handled whose publish had failed, %d redelivered%n", killed, KILL_AT, TRIGGERS,
                    publishMillis, stored.size(), failed, handled.size(), missing.size(), duplicates,
                    notStoredButHandled, redelivered.size());
            assertEquals(Set.of(), missing, "fired but never handled (neither stored nor run locally)");
            // At least once: a trigger runs twice only when JetStream delivered it again (its ack, confirmed with
            // retries, could not reach a consumer leader within ackWait); never from one delivery.
            assertEquals(Set.of(), handledTwiceWithoutRedelivery,
                    "handled twice without a redelivery: each is published by one runtime here");
            assertTrue(stored.size() >= KILL_AT, "the triggers before the kill were stored: " + stored.size());
        }
    }

    @Test
    void anAckSentWhileTheConsumerHasNoLeaderIsSentAgainUntilConfirmed(@TempDir Path dir) throws Exception {
        // ackWait well above a consumer leader election, so only a lost ack (not a slow election) redelivers
        NatsSettings settings = settings(dir, Duration.ofSeconds(12), Duration.ofSeconds(60));
        try (Cluster cluster = new Cluster(dir, settings)) {
            Map<Trigger, AtomicInteger> handled = new ConcurrentHashMap<>();
            CompletableFuture<Void> runEnds = new CompletableFuture<>();
            CompletableFuture<Trigger> taken = new CompletableFuture<>();
            List<JetStreamTriggerQueue> runtimes = new ArrayList<>();
            for (String runtime : List.of("rt-a", "rt-b")) {
                JetStreamTriggerQueue queue = cluster.runtime(runtime);
                queue.subscribe(t -> {
                    handled.computeIfAbsent(t, k -> new AtomicInteger()).incrementAndGet();
                    taken.complete(t);
                    return runEnds;
                });
                runtimes.add(queue);
            }
            JetStreamManagement jsm = cluster.management();

            Trigger trigger = new Trigger("job", Instant.now().truncatedTo(ChronoUnit.MILLIS));
            runtimes.get(0).publishAsync(trigger).get(30, TimeUnit.SECONDS);
            assertEquals(trigger, taken.get(30, TimeUnit.SECONDS));
            String leader = jsm.getConsumerInfo(STREAM, JetStreamTriggerQueue.DURABLE).getClusterInfo().getLeader();
            cluster.kill(leader);
            runEnds.complete(null); // the run ends, its ack goes out while the consumer elects a new leader

            // a lost ack shows as a redelivery after ackWait: wait that long and a bit more
            long deadline = System.nanoTime() + settings.ackWait().plusSeconds(6).toNanos();
            while (System.nanoTime() < deadline) {
                Thread.sleep(200); // nothing signals "not delivered again"
            }
            long resent = runtimes.stream().mapToLong(JetStreamTriggerQueue::acksResent).sum();
            long redeliveredToTheRunner = runtimes.stream().mapToLong(JetStreamTriggerQueue::alreadyRunHere).sum();
            System.out.printf("consumer leader %s killed as the run ended: ack resent %d times, handled %d times,"
                    + " delivered again to the runtime that ran it %d times%n", leader, resent,
                    handled.get(trigger).get(), redeliveredToTheRunner);
            assertEquals(1, handled.get(trigger).get(), "the fire ran once");
            assertEquals(0, redeliveredToTheRunner, "not delivered again: the ack was confirmed");
            assertTrue(resent > 0, "the first ack found no consumer leader and was sent again");
        }
    }

    private static NatsSettings settings(Path dir, Duration ackWait, Duration misfireDeadline) {
        return new NatsSettings("AR_RESULTS_CLUSTER", STREAM, 3, Duration.ofMinutes(2), ackWait, 5, misfireDeadline,
                dir.resolve("spool"), Duration.ofSeconds(10), NatsSettings.DEFAULT_SPOOL_MAX_BYTES);
    }

    /** A 3-node cluster and the runtimes' queues on it, each with its own connection; closes all in reverse. */
    private static final class Cluster implements AutoCloseable {
        private final List<NatsServerFixture> nodes;
        private final String[] urls;
        private final NatsSettings settings;
        private final List<AutoCloseable> closeLater = new ArrayList<>();

        Cluster(Path dir, NatsSettings settings) throws Exception {
            this.nodes = NatsServerFixture.cluster(dir);
            this.urls = nodes.stream().map(NatsServerFixture::url).toArray(String[]::new);
            this.settings = settings;
        }

        JetStreamTriggerQueue runtime(String runtimeId) throws Exception {
            JetStreamTriggerQueue queue = createWhenClusterReady(connection(), settings, runtimeId);
            closeLater.add(queue);
            return queue;
        }

        JetStreamManagement management() throws Exception {
            return connection().jetStreamManagement();
        }

        void kill(String nodeName) {
            nodes.stream().filter(n -> n.name().equals(nodeName)).findFirst()
                    .orElseThrow(() -> new AssertionError("no node named " + nodeName)).kill();
        }

        private Connection connection() throws Exception {
            Connection connection = connect(urls);
            closeLater.add(connection);
            return connection;
        }

        @Override
        public void close() {
            for (int i = closeLater.size() - 1; i >= 0; i--) {
                try {
                    closeLater.get(i).close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
            nodes.forEach(NatsServerFixture::close);
        }
    }

    private static Connection connect(String[] urls) throws Exception {
        return Nats.connect(new Options.Builder().servers(urls).maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(200)).connectionTimeout(Duration.ofSeconds(5)).build());
    }

    /** A fresh cluster needs a moment to elect its JetStream meta leader: creating the stream fails until then. */
    private static JetStreamTriggerQueue createWhenClusterReady(Connection connection, NatsSettings settings,
                                                                String runtime) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return new JetStreamTriggerQueue(connection, settings, runtime, Clock.systemUTC());
            } catch (IllegalStateException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(250);
            }
        }
    }
}
