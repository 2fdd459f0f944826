package io.ccf.ar.runtime.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code nats:} section: JetStream streams and consumer, used when {@code eventBusURL} is set.
 *
 * @param resultsStream   stream capturing {@code job.result} (created when missing)
 * @param scheduleStream  work-queue stream of triggers, subjects {@code runtime.schedule.>}
 * @param replicas        stream replicas (3 on a 3-node cluster)
 * @param duplicateWindow JetStream's de-duplication window for Nats-Msg-Id (collapses the copies
 *                        of one fire published by several runtimes)
 * @param ackWait         how long a trigger may go without an ack or in-progress heartbeat before
 *                        JetStream redelivers it (to another runtime)
 * @param maxDeliver      delivery attempts per trigger
 * @param misfireDeadline a trigger older than this when it arrives is dropped and logged
 * @param spoolDir        where results wait on disk while NATS is away
 * @param startWait       how long start-up waits for NATS before scheduling on its own; the runtime joins
 *                        the shared schedule when NATS comes later
 * @param spoolMaxBytes   on-disk limit of the spool; over it the oldest results are dropped (with an error)
 * @param localFallbackAfter how long after its fire time a fire the shared schedule has not taken (NATS or JetStream
 *                        unavailable) waits before this runtime runs it itself; its results are spooled
 * @param auth            authentication and TLS ({@code credentialsFile}, {@code nkeyFile}, {@code user} +
 *                        {@code passwordFile}, {@code tokenFile}, {@code tls}); {@link NatsAuthSettings#NONE} by default
 */
public record NatsSettings(String resultsStream, String scheduleStream, int replicas, Duration duplicateWindow,
                           Duration ackWait, int maxDeliver, Duration misfireDeadline, Path spoolDir, Duration startWait,
                           long spoolMaxBytes, Duration localFallbackAfter, NatsAuthSettings auth) {
    public static final Duration DEFAULT_LOCAL_FALLBACK_AFTER = Duration.ofSeconds(5);

    /** Without authentication or TLS settings. */
    public NatsSettings(String resultsStream, String scheduleStream, int replicas, Duration duplicateWindow,
                        Duration ackWait, int maxDeliver, Duration misfireDeadline, Path spoolDir, Duration startWait,
                        long spoolMaxBytes, Duration localFallbackAfter) {
        this(resultsStream, scheduleStream, replicas, duplicateWindow, ackWait, maxDeliver, misfireDeadline, spoolDir,
                startWait, spoolMaxBytes, localFallbackAfter, NatsAuthSettings.NONE);
    }

    /** With the default {@code localFallbackAfter}. */
    public NatsSettings(String resultsStream, String scheduleStream, int replicas, Duration duplicateWindow,
                        Duration ackWait, int maxDeliver, Duration misfireDeadline, Path spoolDir, Duration startWait,
                        long spoolMaxBytes) {
        this(resultsStream, scheduleStream, replicas, duplicateWindow, ackWait, maxDeliver, misfireDeadline, spoolDir,
                startWait, spoolMaxBytes, DEFAULT_LOCAL_FALLBACK_AFTER);
    }

    public static final String DEFAULT_RESULTS_STREAM = "AR_RESULTS";
    public static final String DEFAULT_SCHEDULE_STREAM = "AR_SCHEDULE";
    /** The spool needs room for at least one segment of results. */
    public static final long MIN_SPOOL_BYTES = 1L << 20;
    public static final long DEFAULT_SPOOL_MAX_BYTES = 512L << 20;

    public NatsSettings {
        Objects.requireNonNull(resultsStream, "resultsStream");
        Objects.requireNonNull(scheduleStream, "scheduleStream");
        Objects.requireNonNull(duplicateWindow, "duplicateWindow");
        Objects.requireNonNull(ackWait, "ackWait");
        Objects.requireNonNull(misfireDeadline, "misfireDeadline");
        Objects.requireNonNull(spoolDir, "spoolDir");
        Objects.requireNonNull(startWait, "startWait");
        Objects.requireNonNull(localFallbackAfter, "localFallbackAfter");
        Objects.requireNonNull(auth, "auth");
        if (replicas < 1 || replicas > 5) {
            throw new IllegalArgumentException("replicas must be 1..5, got " + replicas);
        }
        if (spoolMaxBytes < MIN_SPOOL_BYTES) {
            throw new IllegalArgumentException("spoolMaxBytes must be at least " + MIN_SPOOL_BYTES + ", got " + spoolMaxBytes);
        }
        if (maxDeliver < 1) {
            throw new IllegalArgumentException("maxDeliver must be at least 1, got " + maxDeliver);
        }
    }

    /** Defaults, with the spool beside the config file. */
    public static NatsSettings defaults(Path configDir) {
        return new NatsSettings(DEFAULT_RESULTS_STREAM, DEFAULT_SCHEDULE_STREAM, 1, Duration.ofMinutes(2),
                Duration.ofSeconds(30), 5, Duration.ofMinutes(1), configDir.resolve("spool"), Duration.ofSeconds(10),
                DEFAULT_SPOOL_MAX_BYTES, DEFAULT_LOCAL_FALLBACK_AFTER, NatsAuthSettings.NONE);
    }
}
