package io.ccf.ar.runtime.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.schedule.CronParser;
import io.ccf.ar.runtime.schedule.CronSchedule;
import io.ccf.ar.runtime.schedule.CronScheduler;
import io.ccf.ar.runtime.schedule.Trigger;
import io.ccf.ar.runtime.schedule.TriggerHandler;
import io.ccf.ar.runtime.schedule.TriggerQueue;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StreamConfiguration;

/**
 * {@link JetStreamTriggerQueue} against one real nats-server: each test starts from no schedule stream, and runtimes
 * are queues on connections of their own.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JetStreamTriggerQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String STREAM = "AR_SCHEDULE_TEST";

    @TempDir
    static Path serverDir;
    private static NatsServerFixture server;

    @TempDir
    Path dir;
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private Connection admin;

    @BeforeAll
    static void startServer() {
        server = NatsServerFixture.start(serverDir);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void noStream() throws Exception {
        admin = connect(server.url());
        try {
            admin.jetStreamManagement().deleteStream(STREAM);
        } catch (JetStreamApiException notThere) {
            // first test
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
        admin.close();
    }

    // ---- publishing and consuming

    @Test
    void aPublishedTriggerIsHandledAndAcknowledged() throws Exception {
        JetStreamTriggerQueue queue = queue(connect(server.url()), settings(Duration.ofSeconds(30), Duration.ofMinutes(1)));
        Recorder handled = new Recorder(t -> TriggerHandler.done());
        queue.subscribe(handled);

        Trigger trigger = new Trigger("job-1", now());
        PublishAck ack = queue.publishAsync(trigger).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertFalse(ack.isDuplicate());
        assertEquals(trigger, handled.next());
        awaitCondition("the trigger acknowledged and gone from the work queue", () -> streamMessages() == 0
                && consumer().getNumAckPending() == 0);
        assertEquals(0, queue.inProgress());

        // Handed on as it arrives, not when a pull's batch is full or its wait is over.
        for (int i = 2; i <= 4; i++) {
            Trigger next = new Trigger("job-" + i, now());
            long t0 = System.nanoTime();
            queue.publish(next);
            assertEquals(next, handled.next());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(millis < JetStreamTriggerQueue.FETCH_WAIT_MILLIS / 2, "handled " + millis + " ms after publish");
        }

        JetStreamManagement jsm = admin.jetStreamManagement();
        StreamConfiguration stream = jsm.getStreamInfo(STREAM).getConfiguration();
        assertEquals(RetentionPolicy.WorkQueue, stream.getRetentionPolicy());
        assertEquals(List.of("runtime.schedule.>"), stream.getSubjects());
        assertEquals(Duration.ofMinutes(2), stream.getDuplicateWindow());
        ConsumerInfo consumer = consumer();
        assertEquals(Duration.ofSeconds(30), consumer.getConsumerConfiguration().getAckWait());
        assertEquals(5, consumer.getConsumerConfiguration().getMaxDeliver());
    }

    @Test
    void theSameFirePublishedByTwoRuntimesIsHandledOnce() throws Exception {
        NatsSettings settings = settings(Duration.ofSeconds(30), Duration.ofMinutes(1));
        JetStreamTriggerQueue a = queue(connect(server.url()), settings);
        JetStreamTriggerQueue b = queue(connect(server.url()), settings); // reuses the stream and the consumer
        Recorder handledA = new Recorder(t -> TriggerHandler.done());
        Recorder handledB = new Recorder(t -> TriggerHandler.done());
        a.subscribe(handledA);
        b.subscribe(handledB);

        Trigger fire = new Trigger("job-1", now());
        PublishAck first = a.publishAsync(fire).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        PublishAck second = b.publishAsync(fire).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertFalse(first.isDuplicate());
        assertTrue(second.isDuplicate());
        Trigger handled = Recorder.nextOf(handledA, handledB);
        assertEquals(fire, handled);
        awaitCondition("the trigger acknowledged", () -> streamMessages() == 0 && consumer().getNumAckPending() == 0);

        // Once handled and gone from the stream, the fire is still known within the duplicate window.
        assertTrue(a.publishAsync(fire).get(WAIT.toSeconds(), TimeUnit.SECONDS).isDuplicate());
        // One consumer delivers in stream order: a stored copy of the fire would come before this one.
        Trigger later = new Trigger("job-2", now());
        a.publish(later);
        assertEquals(later, Recorder.nextOf(handledA, handledB));
        assertEquals(2, handledA.count() + handledB.count());
    }

    @Test
    void twoRuntimesOnTheSameSchedulesRunEveryFireOnce() throws Exception {
        NatsSettings settings = settings(Duration.ofSeconds(30), Duration.ofMinutes(1));
        Map<String, CronSchedule> schedules = new LinkedHashMap<>();
        for (int i = 1; i <= 5; i++) {
            schedules.put("job-" + i, CronParser.parse("* * * * * *", ZoneOffset.UTC));
        }
        Instant end = Instant.now().plusSeconds(20);
        Map<Trigger, AtomicInteger> handled = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> byRuntime = new ConcurrentHashMap<>();
        Set<Trigger> published = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<PublishAck>> acks = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> pastTheEnd = new ArrayList<>();
        List<CronScheduler> schedulers = new ArrayList<>();
        for (String runtime : List.of("runtime-a", "runtime-b")) {
            JetStreamTriggerQueue queue = new JetStreamTriggerQueue(connect(server.url()), settings, runtime,
                    Clock.systemUTC());
            closeLater.add(queue);
            queue.subscribe(t -> {
                handled.computeIfAbsent(t, k -> new AtomicInteger()).incrementAndGet();
                byRuntime.computeIfAbsent(runtime, k -> new AtomicInteger()).incrementAndGet();
                // a short run, finished on another thread: the ack comes from there
                return CompletableFuture.runAsync(() -> { },
                        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
            });
            CompletableFuture<Void> reachedEnd = new CompletableFuture<>();
            pastTheEnd.add(reachedEnd);
            TriggerQueue recording = new TriggerQueue() { // what the scheduler publishes, and how it went
                @Override
                public void publish(Trigger trigger) {
                    published.add(trigger);
                    acks.add(queue.publishAsync(trigger));
                    if (!trigger.fireTime().isBefore(end)) {
                        reachedEnd.complete(null);
                    }
                }

                @Override
                public void subscribe(TriggerHandler handler) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void close() {
                }
            };
            CronScheduler scheduler = new CronScheduler(recording, Clock.systemUTC());
            closeLater.add(scheduler);
            scheduler.update(schedules);
            schedulers.add(scheduler);
        }
        schedulers.forEach(CronScheduler::start);
        CompletableFuture.allOf(pastTheEnd.toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);
        schedulers.forEach(CronScheduler::close);

        for (CompletableFuture<PublishAck> ack : acks) {
            ack.get(WAIT.toSeconds(), TimeUnit.SECONDS); // every publish stored or found a duplicate
        }
        awaitCondition("every stored trigger handled and acknowledged", () -> streamMessages() == 0
                && consumer().getNumAckPending() == 0 && consumer().getNumPending() == 0);
        Set<Trigger> missing = new HashSet<>(published);
        missing.removeAll(handled.keySet());
        assertEquals(Set.of(), missing, "published but never handled");
        assertEquals(published, handled.keySet(), "handled but never published");
        Map<Trigger, Integer> repeated = new HashMap<>();
        handled.forEach((t, n) -> {
            if (n.get() != 1) {
                repeated.put(t, n.get());
            }
        });
        assertEquals(Map.of(), repeated, "fires handled more than once");
        long fireTimes = published.stream().map(Trigger::fireTime).distinct().count();
        assertTrue(fireTimes >= 19 && fireTimes <= 23, "about one fire time a second for 20 s: " + fireTimes);
        // A scheduler closed while publishing the last fire time, or started during the first, published only some.
        Instant first = published.stream().map(Trigger::fireTime).min(Instant::compareTo).orElseThrow();
        Instant last = published.stream().map(Trigger::fireTime).max(Instant::compareTo).orElseThrow();
        assertEquals(5 * (fireTimes - 2), published.stream()
                        .filter(t -> t.fireTime().isAfter(first) && t.fireTime().isBefore(last)).count(),
                "every job fires at every fire time but the first and the last");
        System.out.printf("two runtimes, 5 jobs every second: %d fires (%d publishes, %d duplicates), each handled"
                        + " once; handled by runtime: %s%n", published.size(), acks.size(),
                acks.stream().filter(a -> a.join().isDuplicate()).count(), byRuntime);
    }

    // ---- redelivery, misfires, malformed messages

    @Test
    void theTriggerOfARuntimeThatDiesMidRunGoesToAnother() throws Exception {
        // A short ack wait, and a misfire deadline the redelivery is past: a redelivery runs anyway.
        NatsSettings settings = settings(Duration.ofSeconds(2), Duration.ofSeconds(1));
        Connection connectionA = connect(server.url());
        JetStreamTriggerQueue a = queue(connectionA, settings);
        JetStreamTriggerQueue b = queue(connect(server.url()), settings);
        Recorder handledA = new Recorder(t -> new CompletableFuture<>()); // a run that never ends
        Recorder handledB = new Recorder(t -> TriggerHandler.done());
        a.subscribe(handledA);

        Trigger fire = new Trigger("long-job", now());
        a.publish(fire);
        assertEquals(fire, handledA.next());
        b.subscribe(handledB);
        // While A is alive its heartbeats keep the trigger: nothing for B for more than two ack waits.
        assertNull(handledB.poll(Duration.ofSeconds(5)), "redelivered although the runtime is alive");
        assertEquals(1, a.inProgress());
        assertEquals(1, consumer().getNumAckPending());

        connectionA.close(); // runtime A dies
        assertEquals(fire, handledB.next());
        awaitCondition("the trigger acknowledged by B", () -> streamMessages() == 0
                && consumer().getNumAckPending() == 0);
        assertEquals(1, handledA.count());
        assertEquals(1, handledB.count());
    }

    @Test
    void aTriggerPastTheMisfireDeadlineIsAcknowledgedAndNotHandled() throws Exception {
        JetStreamTriggerQueue queue = queue(connect(server.url()), settings(Duration.ofSeconds(30), Duration.ofSeconds(5)));
        Recorder handled = new Recorder(t -> TriggerHandler.done());
        queue.subscribe(handled);
        Trigger late = new Trigger("job-1", now().minusSeconds(60));
        Trigger onTime = new Trigger("job-1", now());
        queue.publishAsync(late).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        queue.publishAsync(onTime).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(onTime, handled.next()); // in stream order, so the late one was dealt with before
        awaitCondition("both acknowledged", () -> streamMessages() == 0 && consumer().getNumAckPending() == 0);
        assertEquals(1, handled.count());
    }

    @Test
    void aStoredFireThatNoRuntimeTakesRunsOnTheRuntimeThatStoredIt() throws Exception {
        // misfire deadline 10 s: a fire stored and not taken 5 s after its fire time runs on the runtime that stored it
        NatsSettings settings = settings(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(1));
        Duration takeDeadline = JetStreamTriggerQueue.takeDeadline(settings, Duration.ofSeconds(1));
        assertEquals(Duration.ofSeconds(5), takeDeadline);
        JetStreamTriggerQueue queue = queue(connect(server.url()), settings);
        BlockingQueue<Trigger> handled = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch roomOpen = new java.util.concurrent.CountDownLatch(1);
        queue.subscribe(new TriggerHandler() {
            @Override
            public java.util.concurrent.CompletionStage<?> handle(Trigger t) {
                handled.add(t);
                return TriggerHandler.done();
            }

            @Override
            public int room() {
                return roomOpen.getCount() == 0 ? Integer.MAX_VALUE : 0; // takes nothing until the fault is set
            }

            @Override
            public boolean awaitRoom(Duration timeout) throws InterruptedException {
                return roomOpen.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        Trigger fire = new Trigger("job-1", now());
        assertFalse(queue.publishAsync(fire).get(WAIT.toSeconds(), TimeUnit.SECONDS).isDuplicate(), "stored here");
        // the fault: the stored trigger is gone before any runtime took it (a stuck consumer's triggers aging out,
        // an operator's purge, a server that loses what it acknowledged); nothing else would ever run the fire
        admin.jetStreamManagement().purgeStream(STREAM);
        roomOpen.countDown();

        Trigger ran = handled.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(fire, ran, "the fire ran after all");
        assertFalse(Instant.now().isBefore(fire.fireTime().plus(takeDeadline)), "not before the take deadline");
        assertEquals(1, queue.ranUntaken());

        // a fire taken as usual is not run a second time when its take deadline passes
        Trigger taken = new Trigger("job-2", now());
        queue.publishAsync(taken).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(taken, handled.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertNull(handled.poll(takeDeadline.plusSeconds(2).toMillis(), TimeUnit.MILLISECONDS),
                "bounded wait for a second run that must not come");
        assertEquals(1, queue.ranUntaken());
    }

    @Test
    void aMalformedTriggerIsDroppedAndTheNextOneHandled() throws Exception {
        JetStreamTriggerQueue queue = queue(connect(server.url()), settings(Duration.ofSeconds(30), Duration.ofMinutes(1)));
        Recorder handled = new Recorder(t -> TriggerHandler.done());
        queue.subscribe(handled);
        admin.jetStream().publish(JetStreamTriggerQueue.SUBJECT, "{not json".getBytes(StandardCharsets.UTF_8));
        admin.jetStream().publish(JetStreamTriggerQueue.SUBJECT,
                "{\"jobId\":\"job-1\",\"fireTime\":\"last tuesday\"}".getBytes(StandardCharsets.UTF_8));
        Trigger good = new Trigger("job-1", now());
        queue.publish(good);
        assertEquals(good, handled.next());
        awaitCondition("all three gone from the work queue", () -> streamMessages() == 0
                && consumer().getNumAckPending() == 0);
        assertEquals(1, handled.count());
    }

    @Test
    void aTriggerNotDealtWithIsGivenBackAndDeliveredAgain() throws Exception {
        JetStreamTriggerQueue queue = queue(connect(server.url()), settings(Duration.ofSeconds(30), Duration.ofMinutes(1)));
        AtomicInteger calls = new AtomicInteger();
        Recorder handled = new Recorder(t -> switch (calls.incrementAndGet()) {
            case 1 -> CompletableFuture.failedFuture(new java.util.concurrent.RejectedExecutionException("stopping"));
            case 2 -> throw new IllegalStateException("a handler bug");
            default -> TriggerHandler.done();
        });
        queue.subscribe(handled);
        Trigger fire = new Trigger("job-1", now());
        queue.publish(fire);
        assertEquals(fire, handled.next());
        assertEquals(fire, handled.next()); // given back at once (nak), not after the ack wait of 30 s
        assertEquals(fire, handled.next());
        awaitCondition("acknowledged the third time", () -> streamMessages() == 0
                && consumer().getNumAckPending() == 0);
    }

    @Test
    void aCopyOfAFireThatIsRunningHereIsNotRunAgainBehindIt() throws Exception {
        JetStreamTriggerQueue queue = queue(connect(server.url()), settings(Duration.ofSeconds(30), Duration.ofMinutes(1)));
        CompletableFuture<Void> runEnds = new CompletableFuture<>();
        Recorder handled = new Recorder(t -> runEnds);
        queue.subscribe(handled);
        Trigger fire = new Trigger("job-1", now());
        queue.publish(fire);
        assertEquals(fire, handled.next());

        // a second copy of the fire stored while it runs (another runtime's, after the duplicate window)
        connect(server.url()).jetStream().publish(JetStreamTriggerQueue.SUBJECT, JetStreamTriggerQueue.body(fire));
        awaitCondition("the copy joined the running fire", () -> queue.alreadyRunHere() == 1);
        awaitCondition("the copy acknowledged while the run goes on", () -> consumer().getNumAckPending() == 1);
        runEnds.complete(null);
        awaitCondition("the run's own trigger acknowledged", () -> streamMessages() == 0
                && consumer().getNumAckPending() == 0);
        assertEquals(1, handled.count(), "the fire ran once");
    }

    // ---- closing

    @Test
    void closeStopsFetchingButRunsInProgressAreStillAcknowledged() throws Exception {
        JetStreamTriggerQueue queue = queue(connect(server.url()), settings(Duration.ofSeconds(3), Duration.ofMinutes(1)));
        CompletableFuture<Void> run = new CompletableFuture<>();
        Recorder handled = new Recorder(t -> run);
        queue.subscribe(handled);
        Trigger fire = new Trigger("job-1", now());
        queue.publish(fire);
        assertEquals(fire, handled.next());

        long t0 = System.nanoTime();
        queue.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(closeMillis < JetStreamTriggerQueue.FETCH_WAIT_MILLIS + 1_000, "close took " + closeMillis + " ms");
        assertThrows(IllegalStateException.class, () -> queue.publish(fire));
        assertFalse(queue.heartbeatsStopped(), "the run in progress keeps its heartbeat");

        // Another trigger is not taken any more by the closed queue.
        Trigger after = new Trigger("job-2", now());
        JetStreamTriggerQueue other = queue(connect(server.url()), settings(Duration.ofSeconds(3), Duration.ofMinutes(1)));
        other.publishAsync(after).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        // The run outlives two ack waits after close: the heartbeat keeps the trigger from being redelivered.
        assertNull(handled.poll(Duration.ofSeconds(7)));
        assertEquals(1, consumer().getNumAckPending());
        run.complete(null);
        awaitCondition("the run's trigger acknowledged after close", () -> consumer().getNumAckPending() == 0);
        awaitCondition("the heartbeat thread stopped", queue::heartbeatsStopped);
        assertEquals(1, streamMessages(), "job-2 waits for a runtime that takes triggers");
        assertEquals(1, handled.count());
    }

    @Test
    void whileNatsIsDownFiresRunHereAndTheSharedScheduleIsTakenBackWhenItAnswers(@TempDir Path ownServerDir) throws Exception {
        try (NatsServerFixture own = NatsServerFixture.start(ownServerDir)) {
            Connection connection = connect(own.url());
            JetStreamTriggerQueue queue = queue(connection, settings(Duration.ofSeconds(30), Duration.ofSeconds(20),
                    Duration.ofSeconds(2)));
            Recorder handled = new Recorder(t -> TriggerHandler.done());
            queue.subscribe(handled);
            own.stop();
            awaitCondition("the client noticed", () -> connection.getStatus() != Connection.Status.CONNECTED);

            // retried for localFallbackAfter (2 s) past its fire time, then run here
            Trigger first = new Trigger("job-1", now());
            CompletableFuture<PublishAck> notStored = queue.publishAsync(first);
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> notStored.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(TriggerPublisher.PublishFailedException.class, failed.getCause());
            assertTrue(((TriggerPublisher.PublishFailedException) failed.getCause()).attempts() > 1);
            assertEquals(first, handled.next(), "run here once the grace was over");
            assertEquals(JetStreamTriggerQueue.Mode.LOCAL, queue.mode());

            // while LOCAL: run here at once, no waiting
            Trigger second = new Trigger("job-2", now());
            queue.publish(second);
            assertEquals(second, handled.next());
            assertEquals(2, queue.ranLocally());

            own.startProcess();
            awaitCondition("back on the shared schedule", () -> queue.mode() == JetStreamTriggerQueue.Mode.SHARED);
            Trigger later = new Trigger("job-3", now());
            assertFalse(queue.publishAsync(later).get(WAIT.toSeconds(), TimeUnit.SECONDS).isDuplicate());
            assertEquals(later, handled.next());

            // the trigger of a fire run here lands after all (another runtime's copy, or a publish whose ack was
            // lost): acknowledged without a second run
            connect(own.url()).jetStream().publish(JetStreamTriggerQueue.SUBJECT, JetStreamTriggerQueue.body(first));
            awaitCondition("acknowledged without a run", () -> queue.alreadyRunHere() == 1);
            assertEquals(3, handled.count(), "every fire ran once here");
        }
    }

    static final class Recorder implements TriggerHandler {
        private final BlockingQueue<Trigger> triggers = new LinkedBlockingQueue<>();
        private final AtomicInteger count = new AtomicInteger();
        private final Function<Trigger, java.util.concurrent.CompletionStage<?>> completion;

        Recorder(Function<Trigger, java.util.concurrent.CompletionStage<?>> completion) {
            this.completion = completion;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> handle(Trigger trigger) {
            count.incrementAndGet();
            triggers.add(trigger);
            return completion.apply(trigger);
        }

        Trigger next() throws InterruptedException {
            Trigger t = poll(WAIT);
            if (t == null) {
                throw new AssertionError("no trigger handled within " + WAIT);
            }
            return t;
        }

        Trigger poll(Duration timeout) throws InterruptedException {
            return triggers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        int count() {
            return count.get();
        }

        /** The next trigger either of two handlers gets. */
        static Trigger nextOf(Recorder a, Recorder b) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                Trigger t = a.poll(Duration.ofMillis(50));
                if (t == null) {
                    t = b.poll(Duration.ofMillis(50));
                }
                if (t != null) {
                    return t;
                }
            }
            throw new AssertionError("no trigger handled within " + WAIT);
        }
    }

    private JetStreamTriggerQueue queue(Connection connection, NatsSettings settings) {
        JetStreamTriggerQueue queue = new JetStreamTriggerQueue(connection, settings, "test", Clock.systemUTC());
        closeLater.add(queue);
        return queue;
    }

    private NatsSettings settings(Duration ackWait, Duration misfireDeadline) {
        return settings(ackWait, misfireDeadline, NatsSettings.DEFAULT_LOCAL_FALLBACK_AFTER);
    }

    private NatsSettings settings(Duration ackWait, Duration misfireDeadline, Duration localFallbackAfter) {
        return new NatsSettings("AR_RESULTS_TEST", STREAM, 1, Duration.ofMinutes(2), ackWait, 5, misfireDeadline,
                dir.resolve("spool"), Duration.ofSeconds(10),
                NatsSettings.DEFAULT_SPOOL_MAX_BYTES, localFallbackAfter);
    }

    private Connection connect(String url) throws IOException, InterruptedException {
        Connection connection = Nats.connect(new Options.Builder().server(url).maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(200)).connectionTimeout(Duration.ofSeconds(5)).build());
        closeLater.add(connection);
        return connection;
    }

    private long streamMessages() throws IOException, JetStreamApiException {
        return admin.jetStreamManagement().getStreamInfo(STREAM).getStreamState().getMsgCount();
    }

    private ConsumerInfo consumer() throws IOException, JetStreamApiException {
        return admin.jetStreamManagement().getConsumerInfo(STREAM, JetStreamTriggerQueue.DURABLE);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} until it holds, for at most {@link #WAIT}: for states nothing signals. */
    static void awaitCondition(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(50);
        }
    }

}
