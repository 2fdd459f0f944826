package io.ccf.ar.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;

/**
 * Assessment requests over NATS against {@code bin/ar} with the sample plugin: request-to-last-result
 * latency for runs of 1 and 100 subjects (sequential requests), and results/s for a burst of
 * concurrent 100-subject runs: once just after start, and in the steady state after {@value #WARM_UP_RUNS}
 * one-subject runs and some bursts (30; {@code -Dbench.warmUpBursts=N}), with the CPU each process spent per result
 * during the measured bursts. Needs a nats-server with JetStream (make bench starts one).
 *
 * <p>Usage: {@code java -cp bench.jar io.ccf.ar.bench.NatsBench BIN_DIR NATS_URL}
 */
public final class NatsBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bursts measured (the median is reported): one burst of 2,000 results is over in about a second. */
    private static final int BURSTS = 5;
    /** One-subject requests (and then the warm-up bursts) run before the steady-state rows: the JIT's warm-up. */
    private static final int WARM_UP_RUNS = 3_000;
    private static final int WARM_UP_BURSTS = Integer.getInteger("bench.warmUpBursts", 30);

    private final Connection nats;
    /** Measured bursts so far (their plans get distinct ids). */
    private int round;
    /** The daemon under test: its CPU and its plugin's are read around the bursts. */
    private final ProcessHandle daemon;
    /** Per run id, created by whichever comes first: the request's reply or one of its results. */
    private final Map<String, RunWait> runs = new ConcurrentHashMap<>();

    /** Results of one run counted against the number expected (known once the reply arrives). */
    private static final class RunWait {
        final CountDownLatch done = new CountDownLatch(1);
        private int arrived;
        private int expected = -1;

        synchronized void arrived() {
            arrived++;
            check();
        }

        synchronized void expect(int n) {
            expected = n;
            check();
        }

        private void check() {
            if (expected >= 0 && arrived >= expected) {
                done.countDown();
            }
        }
    }

    private NatsBench(Connection nats, ProcessHandle daemon) {
        this.nats = nats;
        this.daemon = daemon;
    }

    public static void main(String[] args) throws Exception {
        Path bin = Path.of(args.length > 0 ? args[0] : "bin").toAbsolutePath();
        String url = args.length > 1 ? args[1] : "nats://127.0.0.1:4222";
        Path work = Files.createTempDirectory("ar-nats-bench");
        Files.writeString(work.resolve("config.yml"), "runtimeId: nats-bench\neventBusURL: " + url
                + "\npluginsDir: " + bin.resolve("plugins") + "\nassessmentsDir: " + work.resolve("assessments")
                + "\nplans:\n  allowedPackages: [sample]\n"); // ad-hoc requests name the sample package
        // default stream names: a second stream on the same subjects would be refused
        Process ar = new ProcessBuilder(bin.resolve("ar").toString(), "--config", work.resolve("config.yml").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        // not closed here: the drain thread reads it until the daemon exits
        BufferedReader log = new BufferedReader(new InputStreamReader(ar.getErrorStream(), StandardCharsets.UTF_8));
        try (Connection nats = Nats.connect(url)) {
            String line;
            while ((line = log.readLine()) != null && !line.contains("answering run requests")) {
                // wait until the runtime takes requests
            }
            Thread drain = new Thread(() -> {
                try {
                    String l;
                    while ((l = log.readLine()) != null) {
                        if (l.contains("ERROR") || l.contains("WARN")) {
                            System.err.println(l);
                        }
                    }
                } catch (java.io.IOException daemonGone) {
                    // the daemon exited
                }
            });
            drain.setDaemon(true);
            drain.start();
            new NatsBench(nats, ar.toHandle()).run();
        } finally {
            ar.destroy();
            ar.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private void run() throws Exception {
        Dispatcher d = nats.createDispatcher(this::onResult);
        d.subscribe("job.result");
        nats.flush(Duration.ofSeconds(5));
        System.out.println("# Assessment requests over NATS");
        System.out.println();
        System.out.println("`bin/ar` with the sample plugin (execution.concurrency 8), results on JetStream; "
                + "latency = request sent to the last result of its run received by a core NATS subscriber.");
        System.out.println();
        System.out.println("| run | requests | p50 ms | p99 ms | results/s |");
        System.out.println("|---|---|---|---|---|");
        sequential(1, 100); // warm-up, not reported
        sequential(100, 10);
        report("1 subject, sequential, just after start (110 runs in)", 1, 300);
        String justStarted = bursts("just after start");
        // a daemon that has run for a while: its request and result paths are compiled (C2), which takes tens of
        // thousands of results on two cores (the compiler threads were still busy after 3 warm-up bursts); the
        // rows below are that steady state
        sequential(1, WARM_UP_RUNS);
        for (int i = 0; i < WARM_UP_BURSTS; i++) {
            burst(100, 20, -1 - i);
        }
        report("1 subject, sequential, steady state", 1, 300);
        report("100 subjects, sequential, steady state", 100, 40);
        String steady = bursts("steady state");
        System.out.println();
        System.out.println("Warm-up before the steady-state rows: " + WARM_UP_RUNS + " one-subject runs and " + WARM_UP_BURSTS
                + " bursts. CPU per result during the measured bursts, µs (" + Runtime.getRuntime().availableProcessors()
                + " cores): just after start: " + justStarted + "; steady state: " + steady + ".");
    }

    /** Prints the row of {@value #BURSTS} measured bursts; returns the CPU each process spent per result meanwhile. */
    private String bursts(String when) throws Exception {
        double[] rates = new double[BURSTS];
        CpuTimes before = CpuTimes.now(daemon);
        for (int i = 0; i < BURSTS; i++) {
            rates[i] = burst(100, 20, round++);
        }
        CpuTimes used = CpuTimes.now(daemon).minus(before);
        Arrays.sort(rates);
        System.out.printf("| %d concurrent runs of %d subjects, %s (median of %d bursts, %.0f-%.0f) | %d | | | %.0f |%n", 20, 100,
                when, BURSTS, rates[0], rates[BURSTS - 1], 20, rates[BURSTS / 2]);
        return used.perResult(BURSTS * 20 * 100);
    }

    private void report(String label, int subjects, int requests) throws Exception {
        long t0 = System.nanoTime();
        long[] latencies = sequential(subjects, requests);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(latencies);
        System.out.printf("| %s | %d | %.2f | %.2f | %.0f |%n", label, requests, latencies[requests / 2] / 1e6,
                latencies[(int) (requests * 0.99)] / 1e6, subjects * requests / seconds);
    }

    private long[] sequential(int subjects, int requests) throws Exception {
        long[] latencies = new long[requests];
        for (int i = 0; i < requests; i++) {
            long t0 = System.nanoTime();
            // a fresh ad-hoc plan each time: the previous run may still be closing when its last result lands
            CountDownLatch done = request("bench-seq-" + subjects + "-" + i, subjects);
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("results of a run did not all arrive");
            }
            latencies[i] = System.nanoTime() - t0;
        }
        return latencies;
    }

    /** Results/s of {@code runs} concurrent requests of {@code subjects} subjects each. */
    private double burst(int subjects, int runs, int round) throws Exception {
        long t0 = System.nanoTime();
        List<CompletableFuture<CountDownLatch>> sent = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            String plan = "bench-burst-" + round + "-" + i; // distinct plans: a job already running would be refused
            sent.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return request(plan, subjects);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<CountDownLatch> f : sent) {
            if (!f.get().await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("burst results did not all arrive");
            }
        }
        return runs * subjects / ((System.nanoTime() - t0) / 1e9);
    }

    /** Sends an ad-hoc plan; returns a latch released when all its results arrived. */
    private CountDownLatch request(String planId, int subjects) throws Exception {
        String plan = "{\"id\":\"" + planId + "\",\"title\":\"bench\",\"tasks\":[{\"id\":\"t\",\"title\":\"t\",\"schedule\":\"@yearly\","
                + "\"activities\":[{\"id\":\"a\",\"title\":\"a\",\"provider\":{\"name\":\"busy\",\"package\":\"sample\","
                + "\"version\":\"1.0.0\",\"configuration\":{\"subjects\":\"" + subjects + "\"}}}]}]}";
        Message reply = nats.request("runtime.assessment.request", plan.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        JsonNode answer = JSON.readTree(reply.getData());
        if (!answer.path("accepted").asBoolean()) {
            throw new IllegalStateException("request refused: " + answer);
        }
        // results may beat the reply: both sides share one RunWait per run id
        RunWait wait = runs.computeIfAbsent(answer.path("runId").asText(), id -> new RunWait());
        wait.expect(subjects);
        return wait.done;
    }

    private void onResult(Message message) {
        try {
            String runId = JSON.readTree(message.getData()).path("runId").asText();
            runs.computeIfAbsent(runId, id -> new RunWait()).arrived();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** CPU time used so far by the daemon, its plugins, nats-server and this process, in ns. */
    private record CpuTimes(long daemon, long plugins, long natsServer, long client) {
        static CpuTimes now(ProcessHandle daemon) {
            long plugins = daemon.descendants().mapToLong(CpuTimes::cpu).sum();
            long server = ProcessHandle.allProcesses()
                    .filter(p -> p.info().command().map(c -> c.endsWith("/nats-server")).orElse(false))
                    .mapToLong(CpuTimes::cpu).sum();
            return new CpuTimes(cpu(daemon), plugins, server, cpu(ProcessHandle.current()));
        }

        private static long cpu(ProcessHandle p) {
            return p.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
        }

        CpuTimes minus(CpuTimes o) {
            return new CpuTimes(daemon - o.daemon, plugins - o.plugins, natsServer - o.natsServer, client - o.client);
        }

        String perResult(int results) {
            return String.format("daemon %.0f, plugin %.0f, nats-server %.0f, client %.0f, all %.0f",
                    daemon / 1e3 / results, plugins / 1e3 / results, natsServer / 1e3 / results, client / 1e3 / results,
                    (daemon + plugins + natsServer + client) / 1e3 / results);
        }
    }
}
