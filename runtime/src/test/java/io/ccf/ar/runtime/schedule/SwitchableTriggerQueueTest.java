package io.ccf.ar.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

class SwitchableTriggerQueueTest {
    private static Trigger trigger(String job) {
        return new Trigger(job, Instant.parse("2026-11-25T12:00:00Z"));
    }

    @Test
    void triggersGoToTheCurrentQueueAndTheHandlerFollowsASwitch() {
        InProcessTriggerQueue first = new InProcessTriggerQueue();
        InProcessTriggerQueue second = new InProcessTriggerQueue();
        SwitchableTriggerQueue queue = new SwitchableTriggerQueue(first);
        List<String> handled = new CopyOnWriteArrayList<>();
        queue.subscribe(TriggerHandler.of(t -> handled.add(t.jobId())));

        queue.publish(trigger("a"));
        assertTrue(queue.switchTo(second));
        assertSame(second, queue.current());
        queue.publish(trigger("b"));
        assertEquals(List.of("a", "b"), handled);
        assertThrows(IllegalStateException.class, () -> first.publish(trigger("c")), "the previous queue is closed");

        queue.close();
        assertThrows(IllegalStateException.class, () -> queue.publish(trigger("d")));
        InProcessTriggerQueue third = new InProcessTriggerQueue();
        assertFalse(queue.switchTo(third), "no switch after close");
        assertThrows(IllegalStateException.class, () -> third.subscribe(TriggerHandler.of(t -> { })), "and the offered queue is closed");
    }

    @Test
    void aPublishRacingASwitchLandsOnTheNewQueue() {
        InProcessTriggerQueue second = new InProcessTriggerQueue();
        List<String> handled = new CopyOnWriteArrayList<>();
        // a first queue that is switched away (and closed) while a publish is inside it
        SwitchableTriggerQueue[] holder = new SwitchableTriggerQueue[1];
        TriggerQueue racing = new TriggerQueue() {
            @Override
            public void publish(Trigger trigger) {
                holder[0].switchTo(second);
                throw new IllegalStateException("trigger queue is closed");
            }

            @Override
            public void subscribe(TriggerHandler handler) {
            }

            @Override
            public void close() {
            }
        };
        holder[0] = new SwitchableTriggerQueue(racing);
        holder[0].subscribe(TriggerHandler.of(t -> handled.add(t.jobId())));
        holder[0].publish(trigger("x"));
        assertEquals(List.of("x"), handled);
    }
}
