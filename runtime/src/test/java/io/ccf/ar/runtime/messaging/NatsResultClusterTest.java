package io.ccf.ar.runtime.messaging;

import static io.ccf.ar.runtime.messaging.ResultTestSupport.STREAM;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.awaitTrue;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.ids;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.result;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.streamMsgIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.nats.client.Connection;
import io.nats.client.api.StreamInfo;

/** Three nats-servers, an R3 results stream, and its leader killed while results are published. */
class NatsResultClusterTest {
    @TempDir
    Path dir;
    private List<NatsServerFixture> nodes = List.of();

    @AfterEach
    void stop() {
        nodes.forEach(NatsServerFixture::close);
    }

    @Test
    void killingTheStreamLeaderWhilePublishingLosesNoResult() throws Exception {
        nodes = NatsServerFixture.cluster(dir.resolve("nats"));
        String url = nodes.stream().map(NatsServerFixture::url).collect(Collectors.joining(","));
        NatsSettings r1 = ResultTestSupport.settings(dir, 1);
        NatsSettings r3 = ResultTestSupport.settings(dir, 3);
        try (NatsLink link = NatsConnections.connect(url, "rt-test", Duration.ofSeconds(5), ResultTestSupport.RECONNECT_WAIT)) {
            Connection connection = link.connection().orElseThrow();
            // the cluster needs a moment to elect its JetStream meta leader: nothing signals it to a client
            AtomicReference<StreamSetup.Outcome> created = new AtomicReference<>();
            awaitTrue(Duration.ofSeconds(30), "JetStream ready", () -> {
                try {
                    created.set(StreamSetup.ensureResultsStream(connection, r1));
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(StreamSetup.Outcome.CREATED, created.get());
            assertEquals(StreamSetup.Outcome.UPDATED, StreamSetup.ensureResultsStream(connection, r3), "R1 -> R3");
            awaitTrue(Duration.ofSeconds(30), "three current replicas", () -> {
                try {
                    StreamInfo info = connection.jetStreamManagement().getStreamInfo(STREAM);
                    return info.getClusterInfo().getLeader() != null && info.getClusterInfo().getReplicas() != null
                            && info.getClusterInfo().getReplicas().size() == 2
                            && info.getClusterInfo().getReplicas().stream().allMatch(r -> r.isCurrent());
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(StreamSetup.Outcome.UNCHANGED, StreamSetup.ensureResultsStream(connection, r3));

            int total = 600;
            int killAt = 200;
            CountDownLatch reachedKillPoint = new CountDownLatch(1);
            // the sink talks to the leader's node (the worst case: its own server dies too) and finds the
            // others through the cluster's gossip
            String leaderBefore = connection.jetStreamManagement().getStreamInfo(STREAM).getClusterInfo().getLeader();
            String leaderUrl = nodes.stream().filter(n -> n.name().equals(leaderBefore)).findFirst().orElseThrow().url();
            try (NatsLink sinkLink = NatsConnections.connect(leaderUrl, "rt-sink", Duration.ofSeconds(5),
                    ResultTestSupport.RECONNECT_WAIT);
                 JetStreamResultSink sink = JetStreamResultSink.open(sinkLink, r3)) {
                Thread producer = new Thread(() -> {
                    for (int i = 0; i < total; i++) {
                        sink.publish(result("run-k", i));
                        if (i == killAt) {
                            reachedKillPoint.countDown();
                        }
                        try {
                            TimeUnit.MILLISECONDS.sleep(5); // pacing: keep publishing through the failover
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "producer");
                producer.start();
                assertTrue(reachedKillPoint.await(60, TimeUnit.SECONDS));
                String leader = connection.jetStreamManagement().getStreamInfo(STREAM).getClusterInfo().getLeader();
                NatsServerFixture victim = nodes.stream().filter(n -> n.name().equals(leader)).findFirst().orElseThrow();
                victim.kill();
                producer.join(TimeUnit.MINUTES.toMillis(2));
                assertTrue(!producer.isAlive(), "producer done");
                assertTrue(sink.awaitDrained(Duration.ofSeconds(90)), "drained; pending " + sink.pending());
                System.out.printf("cluster: killed leader %s; %d published directly, %d via the spool; sink now on %s%n",
                        leader, sink.publishedDirect(), sink.publishedFromSpool(),
                        sinkLink.connection().orElseThrow().getConnectedUrl());
                assertEquals(0, sink.lost());
            }

            AtomicReference<List<String>> stored = new AtomicReference<>();
            awaitTrue(Duration.ofSeconds(30), "stream readable after the failover", () -> {
                try {
                    stored.set(streamMsgIds(connection, STREAM));
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
            List<String> expected = ids("run-k", 0, total);
            Set<String> unique = new HashSet<>(stored.get());
            assertEquals(stored.get().size(), unique.size(), "no result twice");
            assertEquals(new HashSet<>(expected), unique, "no result lost");
            List<String> outOfOrder = new ArrayList<>();
            for (int i = 1; i < stored.get().size(); i++) {
                if (expected.indexOf(stored.get().get(i)) < expected.indexOf(stored.get().get(i - 1))) {
                    outOfOrder.add(stored.get().get(i));
                }
            }
            System.out.println("cluster: results stored out of order: " + outOfOrder);
        }
    }
}
