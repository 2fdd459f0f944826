package io.ccf.ar.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class InProcessTriggerQueueTest {
    private static final Trigger TRIGGER = new Trigger("job", Instant.parse("2024-05-01T10:00:00Z"));

    @Test
    void publishHandsTheTriggerToTheHandlerOnThePublishersThread() {
        try (InProcessTriggerQueue queue = new InProcessTriggerQueue()) {
            List<Thread> threads = new ArrayList<>();
            List<Trigger> received = new ArrayList<>();
            queue.subscribe(TriggerHandler.of(t -> {
                threads.add(Thread.currentThread());
                received.add(t);
            }));
            queue.publish(TRIGGER);
            assertEquals(List.of(TRIGGER), received);
            assertSame(Thread.currentThread(), threads.get(0));
        }
    }

    @Test
    void whatTheHandlerThrowsReachesThePublisher() {
        try (InProcessTriggerQueue queue = new InProcessTriggerQueue()) {
            queue.subscribe(TriggerHandler.of(t -> {
                throw new IllegalArgumentException("boom");
            }));
            assertEquals("boom", assertThrows(IllegalArgumentException.class, () -> queue.publish(TRIGGER)).getMessage());
        }
    }

    @Test
    void theHandlersStageIsIgnored() {
        try (InProcessTriggerQueue queue = new InProcessTriggerQueue()) {
            List<Trigger> received = new ArrayList<>();
            queue.subscribe(t -> {
                received.add(t);
                return new CompletableFuture<>(); // never completes: nothing waits for it
            });
            queue.publish(TRIGGER);
            queue.publish(TRIGGER);
            assertEquals(List.of(TRIGGER, TRIGGER), received);
        }
    }

    @Test
    void thereIsOneHandler() {
        try (InProcessTriggerQueue queue = new InProcessTriggerQueue()) {
            queue.subscribe(TriggerHandler.of(t -> { }));
            assertThrows(IllegalStateException.class, () -> queue.subscribe(TriggerHandler.of(t -> { })));
        }
    }

    @Test
    void publishingWithoutAHandlerOrAfterCloseIsRejected() {
        InProcessTriggerQueue queue = new InProcessTriggerQueue();
        assertThrows(IllegalStateException.class, () -> queue.publish(TRIGGER));
        queue.subscribe(TriggerHandler.of(t -> { }));
        queue.close();
        queue.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> queue.publish(TRIGGER));
        assertThrows(IllegalStateException.class, () -> queue.subscribe(TriggerHandler.of(t -> { })));
    }

    @Test
    void triggersNeedAJobAndAFireTime() {
        assertThrows(NullPointerException.class, () -> new Trigger(null, Instant.EPOCH));
        assertThrows(NullPointerException.class, () -> new Trigger("job", null));
    }
}
