package io.ccf.ar.runtime.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.ccf.ar.runtime.schedule.Trigger;

/**
 * The fires this runtime has run (or started) recently, by fire id, so a trigger the shared schedule delivers for one
 * of them is acknowledged without running it again here: a fire run locally while JetStream was away whose publish
 * landed after all, or a run whose ack was lost with the connection. Entries are kept for {@code retention} after their
 * fire time (the longest a trigger can stay deliverable), then forgotten.
 */
final class FireLedger {
    private final Map<String, Instant> fires = new ConcurrentHashMap<>();
    private final Duration retention;
    private final Clock clock;
    private volatile long nextPruneMillis;

    FireLedger(Duration retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
    }

    void record(Trigger trigger) {
        fires.put(trigger.fireId(), trigger.fireTime());
        pruneNowAndThen();
    }

    boolean contains(Trigger trigger) {
        return fires.containsKey(trigger.fireId());
    }

    int size() {
        return fires.size();
    }

    private void pruneNowAndThen() {
        long now = clock.millis();
        if (now < nextPruneMillis) {
            return;
        }
        nextPruneMillis = now + 1_000;
        Instant oldest = clock.instant().minus(retention);
        fires.values().removeIf(fireTime -> fireTime.isBefore(oldest));
    }
}
