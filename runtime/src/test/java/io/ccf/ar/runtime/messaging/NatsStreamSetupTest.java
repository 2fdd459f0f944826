package io.ccf.ar.runtime.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;

/** {@link StreamSetup} against a real nats-server 2.9. */
class NatsStreamSetupTest {
    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private NatsLink link;
    private Connection connection;
    private JetStreamManagement jsm;
    private NatsSettings settings;

    @BeforeEach
    void start() throws Exception {
        nats = NatsServerFixture.start(dir);
        link = NatsConnections.connect(nats.url(), "rt-test", Duration.ofSeconds(5));
        connection = link.connection().orElseThrow();
        jsm = connection.jetStreamManagement();
        settings = ResultTestSupport.settings(dir, 1);
    }

    @AfterEach
    void stop() {
        link.close();
        nats.close();
    }

    @Test
    void createsTheResultsStreamOnceThenLeavesItAlone() throws Exception {
        assertEquals(StreamSetup.Outcome.CREATED, StreamSetup.ensureResultsStream(connection, settings));
        assertEquals(StreamSetup.Outcome.UNCHANGED, StreamSetup.ensureResultsStream(connection, settings));
        StreamConfiguration c = jsm.getStreamInfo(settings.resultsStream()).getConfiguration();
        assertEquals(List.of("job.result"), c.getSubjects());
        assertEquals(StorageType.File, c.getStorageType());
        assertEquals(RetentionPolicy.Limits, c.getRetentionPolicy());
        assertEquals(1, c.getReplicas());
        assertEquals(Duration.ofMinutes(2), c.getDuplicateWindow());
    }

    @Test
    void updatesWhatDiffers() throws Exception {
        jsm.addStream(StreamConfiguration.builder().name(settings.resultsStream()).subjects("other.results")
                .storageType(StorageType.File).duplicateWindow(Duration.ofSeconds(30)).build());
        assertEquals(StreamSetup.Outcome.UPDATED, StreamSetup.ensureResultsStream(connection, settings));
        StreamConfiguration c = jsm.getStreamInfo(settings.resultsStream()).getConfiguration();
        assertEquals(List.of("other.results", "job.result"), c.getSubjects());
        assertEquals(Duration.ofMinutes(2), c.getDuplicateWindow());
        assertEquals(StreamSetup.Outcome.UNCHANGED, StreamSetup.ensureResultsStream(connection, settings));
    }

    @Test
    void anOperatorsLimitsOnTheResultsStreamSurviveAStart() throws Exception {
        assertEquals(StreamSetup.Outcome.CREATED, StreamSetup.ensureResultsStream(connection, settings));
        StreamConfiguration created = jsm.getStreamInfo(settings.resultsStream()).getConfiguration();
        // what an operator does with `nats stream edit`: an age, a size limit, a message size limit, a longer window
        jsm.updateStream(StreamConfiguration.builder(created).maxAge(Duration.ofDays(30)).maxBytes(64L << 20)
                .maximumMessageSize(8192).duplicateWindow(Duration.ofMinutes(10)).build());

        assertEquals(StreamSetup.Outcome.UNCHANGED, StreamSetup.ensureResultsStream(connection, settings));
        // a restart of the runtime, then another
        assertEquals(StreamSetup.Outcome.UNCHANGED, StreamSetup.ensureResultsStream(connection, settings));
        StreamConfiguration c = jsm.getStreamInfo(settings.resultsStream()).getConfiguration();
        assertEquals(Duration.ofDays(30), c.getMaxAge());
        assertEquals(64L << 20, c.getMaxBytes());
        assertEquals(8192, c.getMaximumMessageSize());
        assertEquals(Duration.ofMinutes(10), c.getDuplicateWindow(), "a longer window is never shortened");
        assertEquals(List.of("job.result"), c.getSubjects());
    }

    @Test
    void aShortMaxAgeCapsTheWindowTheRuntimeRaises() throws Exception {
        jsm.addStream(StreamConfiguration.builder().name(settings.resultsStream()).subjects("job.result")
                .storageType(StorageType.File).maxAge(Duration.ofSeconds(90)).duplicateWindow(Duration.ofSeconds(10)).build());
        assertEquals(StreamSetup.Outcome.UPDATED, StreamSetup.ensureResultsStream(connection, settings));
        StreamConfiguration c = jsm.getStreamInfo(settings.resultsStream()).getConfiguration();
        assertEquals(Duration.ofSeconds(90), c.getMaxAge(), "the operator's age stays");
        assertEquals(Duration.ofSeconds(90), c.getDuplicateWindow(), "as long as JetStream allows");
    }

    @Test
    void anOperatorsMaxAgeOnTheScheduleStreamIsKept() throws Exception {
        jsm.addStream(StreamConfiguration.builder(StreamSetup.scheduleStreamConfig(settings)).maxAge(Duration.ofHours(6)).build());
        assertEquals(StreamSetup.Outcome.UNCHANGED, StreamSetup.ensureScheduleStream(connection, settings));
        assertEquals(Duration.ofHours(6), jsm.getStreamInfo(settings.scheduleStream()).getConfiguration().getMaxAge());
    }

    @Test
    void createIfMissingNeverChangesAnExistingStream() throws Exception {
        jsm.addStream(StreamConfiguration.builder().name(settings.resultsStream()).subjects("job.result")
                .storageType(StorageType.File).duplicateWindow(Duration.ofSeconds(30)).build());
        assertEquals(StreamSetup.Outcome.UNCHANGED,
                StreamSetup.createIfMissing(jsm, StreamSetup.resultsStreamConfig(settings)));
        assertEquals(Duration.ofSeconds(30), jsm.getStreamInfo(settings.resultsStream()).getConfiguration().getDuplicateWindow());
        jsm.deleteStream(settings.resultsStream());
        assertEquals(StreamSetup.Outcome.CREATED, StreamSetup.createIfMissing(jsm, StreamSetup.resultsStreamConfig(settings)));
    }

    @Test
    void createsTheScheduleWorkQueue() throws Exception {
        assertEquals(StreamSetup.Outcome.CREATED, StreamSetup.ensureScheduleStream(connection, settings));
        assertEquals(StreamSetup.Outcome.UNCHANGED, StreamSetup.ensureScheduleStream(connection, settings));
        StreamConfiguration c = jsm.getStreamInfo(settings.scheduleStream()).getConfiguration();
        assertEquals(List.of("runtime.schedule.>"), c.getSubjects());
        assertEquals(RetentionPolicy.WorkQueue, c.getRetentionPolicy());
        assertEquals(StorageType.File, c.getStorageType());
        assertEquals(Duration.ofMinutes(2), c.getDuplicateWindow());
        assertEquals(Duration.ofHours(1), c.getMaxAge(), "a trigger nobody acks does not stay forever");
    }

    @Test
    void aScheduleStreamFromAnEarlierVersionGetsItsMaxAge() throws Exception {
        jsm.addStream(StreamConfiguration.builder(StreamSetup.scheduleStreamConfig(settings)).maxAge(Duration.ZERO).build());
        assertEquals(StreamSetup.Outcome.UPDATED, StreamSetup.ensureScheduleStream(connection, settings));
        assertEquals(Duration.ofHours(1), jsm.getStreamInfo(settings.scheduleStream()).getConfiguration().getMaxAge());
        assertEquals(Duration.ofHours(1), StreamSetup.scheduleMaxAge(settings));
    }

    @Test
    void aRetentionItCannotChangeIsReportedNotFatal() throws Exception {
        jsm.addStream(StreamConfiguration.builder().name(settings.scheduleStream()).subjects("runtime.schedule.>")
                .storageType(StorageType.File).retentionPolicy(RetentionPolicy.Limits)
                .duplicateWindow(Duration.ofMinutes(2)).maxAge(Duration.ofHours(1)).build());
        assertEquals(StreamSetup.Outcome.UNCHANGED, StreamSetup.ensureScheduleStream(connection, settings));
        assertEquals(RetentionPolicy.Limits, jsm.getStreamInfo(settings.scheduleStream()).getConfiguration().getRetentionPolicy());
    }

    @Test
    void severalRuntimesAtOnceEndWithOneStream() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<StreamSetup.Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                outcomes.add(pool.submit(() -> StreamSetup.ensureResultsStream(connection, settings)));
            }
            for (Future<StreamSetup.Outcome> f : outcomes) {
                StreamSetup.Outcome o = f.get();
                assertTrue(o == StreamSetup.Outcome.CREATED || o == StreamSetup.Outcome.UNCHANGED, o.toString());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(List.of(settings.resultsStream()), jsm.getStreamNames());
    }
}
