package io.ccf.ar.runtime.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.ResultQueue;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ClusterInfo;

/**
 * A 3-node nats-server cluster with R3 streams, two runtimes on a one-second job: the node leading AR_RESULTS is
 * killed and brought back 10 s later, then the node leading AR_SCHEDULE. Every fire must be accounted for.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterFaultTest {
    private static final Duration DOWN = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private List<NatsServerFixture> nodes;
    private FaultRig rig;
    private Connection admin;

    @BeforeEach
    void setUp() throws Exception {
        nodes = NatsServerFixture.cluster(Files.createDirectories(dir.resolve("nats")));
        String url = nodes.stream().map(NatsServerFixture::url).collect(Collectors.joining(","));
        rig = new FaultRig(dir, url);
        admin = Nats.connect(new Options.Builder().servers(url.split(",")).maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(200)).build());
    }

    @AfterEach
    void tearDown() throws Exception {
        rig.close();
        admin.close();
        nodes.forEach(NatsServerFixture::close);
    }

    @Test
    void streamLeadersKilledAndBroughtBack() throws Exception {
        String nats = "  replicas: 3\n  ackWait: 5s\n  misfireDeadline: 30s\n  localFallbackAfter: 3s\n";
        String job = FaultRig.sampleJob("tick", "* * * * * *");
        // the runtimes keep trying until the cluster has elected its JetStream meta leader (nothing tells a client)
        CliProcess a = rig.runtime("rt-a", "  gracePeriod: 5s\n", nats, job);
        rig.runtime("rt-b", "  gracePeriod: 5s\n", nats, job);
        ResultQueue published = ResultQueue.subscribe(admin);
        Instant from = FaultRig.secondsFromNow(2);
        published.await(r -> r.has("scheduledAt") && Instant.parse(r.path("scheduledAt").asText()).isAfter(from.plusSeconds(3)),
                FaultRig.TIMEOUT, () -> "");

        String resultsLeader = killLeaderOf("AR_RESULTS");
        published.await(r -> true, FaultRig.TIMEOUT, () -> ""); // results flow while it is down
        String scheduleLeader = killLeaderOf("AR_SCHEDULE");
        Instant to = FaultRig.secondsFromNow(6);
        long expectedFires = FaultRig.everySecondFires(from, to);

        StoredResults stored = FaultRig.awaitStored(admin, FaultRig.TIMEOUT,
                s -> FaultRig.complete(s, "plugin/tick", from, to, expectedFires, 3));
        long runTwice = stored.fires("plugin/tick", from, to).values().stream().filter(f -> f.runIds().size() > 1).count();
        rig.reportAndAssertWindow("cluster-leaders-killed", "3-node cluster, R3 streams, 2 runtimes, every-second job:"
                        + " node leading AR_RESULTS (" + resultsLeader + ") killed, back after " + DOWN.toSeconds()
                        + " s; then the node leading AR_SCHEDULE (" + scheduleLeader + "), likewise",
                ClusterFaultTest.class, stored, "plugin/tick", from, to, expectedFires, 3, "firesRunTwiceInStore", runTwice);
    }

    /** Kills the node leading {@code stream} (and its consumer when it leads that too), brings it back after DOWN. */
    private String killLeaderOf(String stream) throws Exception {
        JetStreamManagement jsm = admin.jetStreamManagement();
        ClusterInfo cluster = jsm.getStreamInfo(stream).getClusterInfo();
        String leader = cluster.getLeader();
        NatsServerFixture victim = nodes.stream().filter(n -> n.name().equals(leader)).findFirst().orElseThrow();
        victim.kill();
        Thread.sleep(DOWN.toMillis()); // the fault: the leader's node away this long
        victim.startProcess();
        return leader;
    }
}
