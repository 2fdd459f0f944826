package io.ccf.ar.runtime.messaging;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.NatsSettings;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;

/**
 * Creates the runtime's JetStream streams with the runtime's defaults when missing. On an existing stream it
 * changes only what the runtime needs (its subjects; a duplicate window and replicas at least as the settings
 * say; a max age on a work queue that has none) and keeps whatever else an operator set, with a WARN (see
 * {@link #reconcile}). Idempotent, safe when several runtimes do it at once, and limited to what nats-server 2.9
 * understands. Storage and retention cannot be changed on a live stream: a difference there is logged as an
 * ERROR and left alone.
 */
public final class StreamSetup {
    /** The subject results are published on. */
    public static final String RESULTS_SUBJECT = "job.result";
    /** The subjects of the schedule work queue. */
    public static final String SCHEDULE_SUBJECTS = "runtime.schedule.>";

    /** What {@link #ensure} did. */
    public enum Outcome { CREATED, UPDATED, UNCHANGED }

    private static final int STREAM_NOT_FOUND = 10059;
    private static final int STREAM_NAME_IN_USE = 10058;
    private static final Logger log = LoggerFactory.getLogger(StreamSetup.class);

    private StreamSetup() {
    }

    /** {@code job.result}, file storage, limits retention, replicas and duplicate window from the settings. */
    public static StreamConfiguration resultsStreamConfig(NatsSettings settings) {
        return StreamConfiguration.builder()
                .name(settings.resultsStream())
                .subjects(RESULTS_SUBJECT)
                .storageType(StorageType.File)
                .retentionPolicy(RetentionPolicy.Limits)
                .replicas(settings.replicas())
                .duplicateWindow(settings.duplicateWindow())
                .build();
    }

    /**
     * {@code runtime.schedule.>}, file storage, work-queue retention, replicas and duplicate window from the
     * settings, and a max age ({@link #scheduleMaxAge}) so that a trigger nobody acks (it exhausted maxDeliver,
     * or every runtime is gone) does not stay in the work queue forever.
     */
    public static StreamConfiguration scheduleStreamConfig(NatsSettings settings) {
        return StreamConfiguration.builder()
                .name(settings.scheduleStream())
                .subjects(SCHEDULE_SUBJECTS)
                .storageType(StorageType.File)
                .retentionPolicy(RetentionPolicy.WorkQueue)
                .replicas(settings.replicas())
                .duplicateWindow(settings.duplicateWindow())
                .maxAge(scheduleMaxAge(settings))
                .build();
    }

    /**
     * How long a trigger may stay queued: at least an hour, and at least twice what its deliveries can take
     * (ackWait × maxDeliver) and the misfire deadline. A trigger is removed at that age even while a run holds
     * it, so a runtime that dies during a run longer than this does not get its run redelivered.
     */
    static Duration scheduleMaxAge(NatsSettings settings) {
        Duration deliveries = settings.ackWait().multipliedBy(settings.maxDeliver()).multipliedBy(2);
        Duration misfire = settings.misfireDeadline().multipliedBy(2);
        Duration longest = deliveries.compareTo(misfire) > 0 ? deliveries : misfire;
        return longest.compareTo(Duration.ofHours(1)) > 0 ? longest : Duration.ofHours(1);
    }

    public static Outcome ensureResultsStream(Connection connection, NatsSettings settings) throws IOException, JetStreamApiException {
        return ensure(connection.jetStreamManagement(), resultsStreamConfig(settings));
    }

    public static Outcome ensureScheduleStream(Connection connection, NatsSettings settings) throws IOException, JetStreamApiException {
        return ensure(connection.jetStreamManagement(), scheduleStreamConfig(settings));
    }

    /**
     * Creates {@code desired} if no stream has its name; otherwise changes only what the runtime needs (see
     * {@link #reconcile}).
     *
     * @throws JetStreamApiException the server's refusal (e.g. more replicas than servers, subjects that overlap
     *                               another stream), or IOException when JetStream does not answer
     */
    public static Outcome ensure(JetStreamManagement jsm, StreamConfiguration desired) throws IOException, JetStreamApiException {
        return ensure(jsm, desired, true);
    }

    /** Creates {@code desired} if no stream has its name; an existing stream is left as it is. */
    public static Outcome createIfMissing(JetStreamManagement jsm, StreamConfiguration desired) throws IOException, JetStreamApiException {
        return ensure(jsm, desired, false);
    }

    private static Outcome ensure(JetStreamManagement jsm, StreamConfiguration desired, boolean update)
            throws IOException, JetStreamApiException {
        String name = desired.getName();
        StreamInfo info = info(jsm, name);
        if (info != null && !update) {
            return Outcome.UNCHANGED;
        }
        if (info == null) {
            try {
                jsm.addStream(desired);
                log.info("created JetStream stream {} (subjects {}, {} storage, {} retention, {} replicas, duplicate window {} s)",
                        name, desired.getSubjects(), desired.getStorageType(), desired.getRetentionPolicy(),
                        desired.getReplicas(), desired.getDuplicateWindow().toSeconds());
                return Outcome.CREATED;
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NAME_IN_USE) {
                    throw e;
                }
                info = info(jsm, name); // another runtime created it just now
                if (info == null) {
                    throw e;
                }
                if (!update) {
                    return Outcome.UNCHANGED;
                }
            }
        }
        return reconcile(jsm, name, info.getConfiguration(), desired);
    }

    /**
     * Changes on a live stream only what the runtime needs, and never weakens what an operator set: the runtime's
     * subjects are added, the duplicate window and replicas are raised to the settings (never lowered), and a
     * work queue with no max age (from an earlier version) gets one. Everything else an operator may have set
     * (max age, max bytes, max message size, limits, discard policy, a longer window, more replicas) is kept,
     * with a WARN naming how it differs from the runtime's defaults.
     */
    private static Outcome reconcile(JetStreamManagement jsm, String name, StreamConfiguration current,
                                     StreamConfiguration desired) throws IOException, JetStreamApiException {
        if (current.getStorageType() != desired.getStorageType()) {
            log.error("JetStream stream {} has {} storage, the runtime expects {}; storage cannot be changed on a live stream "
                    + "(recreate the stream to change it)", name, current.getStorageType(), desired.getStorageType());
        }
        if (current.getRetentionPolicy() != desired.getRetentionPolicy()) {
            log.error("JetStream stream {} has {} retention, the runtime expects {}; retention cannot be changed on a live stream "
                    + "(recreate the stream to change it)", name, current.getRetentionPolicy(), desired.getRetentionPolicy());
        }
        StreamConfiguration.Builder update = StreamConfiguration.builder(current);
        List<String> changes = new ArrayList<>();
        List<String> kept = new ArrayList<>();

        List<String> subjects = new ArrayList<>(current.getSubjects());
        for (String s : desired.getSubjects()) {
            if (!subjects.contains(s)) {
                subjects.add(s);
                changes.add("subject " + s + " added");
            }
        }
        update.subjects(subjects);

        Duration maxAge = current.getMaxAge();
        if (maxAge.isZero() && !desired.getMaxAge().isZero() && desired.getRetentionPolicy() == RetentionPolicy.WorkQueue) {
            // a work queue from an earlier version: without an age, a trigger nobody acks would stay forever
            maxAge = desired.getMaxAge();
            update.maxAge(maxAge);
            changes.add("max age unlimited -> " + maxAge.toSeconds() + " s");
        } else if (!maxAge.equals(desired.getMaxAge())) {
            kept.add("max age " + describe(maxAge) + " (runtime default " + describe(desired.getMaxAge()) + ")");
        }

        Duration window = desired.getDuplicateWindow();
        if (!maxAge.isZero() && window.compareTo(maxAge) > 0) {
            kept.add("duplicate window capped at the max age, " + maxAge.toSeconds() + " s (settings: " + window.toSeconds() + " s)");
            window = maxAge; // JetStream refuses a window longer than the max age
        }
        if (current.getDuplicateWindow().compareTo(window) < 0) {
            update.duplicateWindow(window);
            changes.add("duplicate window " + current.getDuplicateWindow().toSeconds() + " s -> " + window.toSeconds() + " s");
        } else if (current.getDuplicateWindow().compareTo(window) > 0) {
            kept.add("duplicate window " + current.getDuplicateWindow().toSeconds() + " s (settings: " + window.toSeconds() + " s)");
        }

        if (current.getReplicas() < desired.getReplicas()) {
            update.replicas(desired.getReplicas());
            changes.add("replicas " + current.getReplicas() + " -> " + desired.getReplicas());
        } else if (current.getReplicas() > desired.getReplicas()) {
            kept.add("replicas " + current.getReplicas() + " (settings: " + desired.getReplicas() + ")");
        }

        if (current.getMaxBytes() != desired.getMaxBytes()) {
            kept.add("max bytes " + limit(current.getMaxBytes()));
        }
        if (current.getMaxMsgs() != desired.getMaxMsgs()) {
            kept.add("max messages " + limit(current.getMaxMsgs()));
        }
        if (current.getMaximumMessageSize() != desired.getMaximumMessageSize()) {
            kept.add("max message size " + limit(current.getMaximumMessageSize()));
        }
        if (current.getMaxMsgsPerSubject() != desired.getMaxMsgsPerSubject()) {
            kept.add("max messages per subject " + limit(current.getMaxMsgsPerSubject()));
        }
        if (current.getDiscardPolicy() != desired.getDiscardPolicy()) {
            kept.add("discard " + current.getDiscardPolicy() + " (runtime default " + desired.getDiscardPolicy() + ")");
        }
        if (!kept.isEmpty()) {
            log.warn("JetStream stream {} keeps settings that differ from the runtime's defaults (set by an operator?): {}",
                    name, String.join(", ", kept));
        }
        if (changes.isEmpty()) {
            log.debug("JetStream stream {} is as the runtime needs it", name);
            return Outcome.UNCHANGED;
        }
        jsm.updateStream(update.build());
        log.info("updated JetStream stream {}: {}", name, String.join(", ", changes));
        return Outcome.UPDATED;
    }

    private static String describe(Duration age) {
        return age.isZero() ? "unlimited" : age.toSeconds() + " s";
    }

    private static String limit(long value) {
        return value < 0 ? "unlimited" : Long.toString(value);
    }

    private static StreamInfo info(JetStreamManagement jsm, String name) throws IOException, JetStreamApiException {
        try {
            return jsm.getStreamInfo(name);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    // ---- the schedule's consumer

    /** The durable pull consumer every runtime shares on the schedule stream. */
    public static final String SCHEDULE_CONSUMER = "ar-runtime";
    /** The server default (1000) would stall the whole schedule once 1000 runs are in progress in the cluster. */
    static final long SCHEDULE_MAX_ACK_PENDING = 20_000;

    /** The schedule consumer as the settings want it: explicit acks, ackWait, maxDeliver. */
    static ConsumerConfiguration scheduleConsumerConfig(NatsSettings settings) {
        return ConsumerConfiguration.builder()
                .durable(SCHEDULE_CONSUMER)
                .ackPolicy(AckPolicy.Explicit)
                .deliverPolicy(DeliverPolicy.All)
                .ackWait(settings.ackWait())
                .maxDeliver(settings.maxDeliver())
                .maxAckPending(SCHEDULE_MAX_ACK_PENDING)
                .build();
    }

    /**
     * Creates the schedule consumer when missing; updates ackWait, maxDeliver and maxAckPending when they differ
     * (two runtimes doing it at once get the same consumer). A consumer that cannot be updated is used as it is,
     * with a warning.
     */
    public static void ensureScheduleConsumer(JetStreamManagement jsm, NatsSettings settings)
            throws IOException, JetStreamApiException {
        String stream = settings.scheduleStream();
        ConsumerInfo info;
        try {
            info = jsm.getConsumerInfo(stream, SCHEDULE_CONSUMER);
        } catch (JetStreamApiException e) {
            if (e.getErrorCode() != 404) {
                throw e;
            }
            info = null;
        }
        ConsumerConfiguration wanted = scheduleConsumerConfig(settings);
        if (info == null) {
            jsm.addOrUpdateConsumer(stream, wanted);
            log.atInfo().addKeyValue("stream", stream).addKeyValue("consumer", SCHEDULE_CONSUMER)
                    .addKeyValue("ackWaitMs", settings.ackWait().toMillis())
                    .addKeyValue("maxDeliver", settings.maxDeliver()).log("schedule consumer created");
            return;
        }
        ConsumerConfiguration actual = info.getConsumerConfiguration();
        if (!actual.getAckWait().equals(settings.ackWait()) || actual.getMaxDeliver() != settings.maxDeliver()
                || actual.getMaxAckPending() != SCHEDULE_MAX_ACK_PENDING) {
            try {
                jsm.addOrUpdateConsumer(stream, wanted);
                log.atInfo().addKeyValue("consumer", SCHEDULE_CONSUMER)
                        .addKeyValue("ackWaitMs", settings.ackWait().toMillis())
                        .addKeyValue("maxDeliver", settings.maxDeliver())
                        .log("schedule consumer updated to this runtime's settings");
            } catch (JetStreamApiException e) {
                log.atWarn().addKeyValue("consumer", SCHEDULE_CONSUMER).addKeyValue("reason", e.getMessage())
                        .log("the schedule consumer has other settings and cannot be updated; used as it is");
            }
        }
    }
}
