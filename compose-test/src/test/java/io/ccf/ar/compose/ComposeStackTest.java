package io.ccf.ar.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.DockerComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * {@code make compose-up} for real: both images built from a clean checkout, NATS + plugin registry +
 * runtime started with docker-compose (through Testcontainers' compose support, local docker-compose) and
 * driven over NATS on 127.0.0.1 like a control plane would. Every service is on the host's network on
 * loopback ports (docker/compose.host-network.yml), the base images are Debian stand-ins
 * (scripts/debian-base-images.sh), NATS runs with its least-privilege users on. Without a Docker engine,
 * docker-compose or mmdebstrap the class reports itself skipped and why.
 * <p>
 * The tests share one stack (building it is minutes of work) and run in order; the last one takes it down.
 */
@Testcontainers(disabledWithoutDocker = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeStackTest {
    private static final Logger log = LoggerFactory.getLogger(ComposeStackTest.class);
    private static final Path REPO = Path.of(System.getProperty("ar.repoRoot", "..")).toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(90);
    /** Only the registry has it (published into the checkout's build/registry); the image ships 1.0.0. */
    private static final String NEW_VERSION = "1.1.0";
    private static final String JAR_PATH = "/sample/" + NEW_VERSION + "/sample.jar";

    @TempDir
    static Path tmp;

    private static final String ON_REQUEST = "on-request";
    private static final String ON_REQUEST_BODY = "{\"planId\":\"" + ON_REQUEST + "\"}";

    private static final Map<String, String> env = new HashMap<>();
    private static String tag;
    private static DockerComposeContainer<?> stack;
    private static DockerClient docker;
    private static Connection controlPlane;
    private static Connection reader;
    private static ResultWatch results;
    private static Path checkout;
    private static String project;

    @BeforeAll
    static void buildAndStart() throws Exception {
        assumeTrue(onPath("docker-compose"), "docker-compose is not installed (apt-get install docker-compose)");
        docker = DockerClientFactory.instance().client();
        boolean haveStandIns = docker.listImagesCmd().withImageNameFilter("ar-standin/*").exec().size() >= 4;
        assumeTrue(haveStandIns || onPath("mmdebstrap"),
                "no Debian stand-in base images and no mmdebstrap to make them (apt-get install mmdebstrap)");

        Instant t0 = Instant.now();
        env.putAll(StandInImages.ensure(REPO));
        Instant baseImagesDone = Instant.now();
        checkout = CleanCheckout.copy(REPO, Files.createDirectories(tmp.resolve("checkout")));
        publishIntoCheckoutRegistry();
        tag = "compose-test-" + Long.toHexString(System.nanoTime());
        env.put("AR_REGISTRY_IMAGE", "ccf/ar-plugin-registry:" + tag);
        env.put("AR_RUNTIME_IMAGE", "ccf/assessment-runtime:" + tag);
        env.put("AR_HOST_NATS_PORT", String.valueOf(LoopbackPorts.free()));
        env.put("AR_HOST_NATS_MONITOR_PORT", String.valueOf(LoopbackPorts.free()));
        env.put("AR_HOST_REGISTRY_PORT", String.valueOf(LoopbackPorts.free()));
        env.put("AR_HOST_METRICS_PORT", String.valueOf(LoopbackPorts.free()));
        for (String v : List.of("AR_NATS_RUNTIME_PASSWORD", "AR_NATS_CONTROL_PLANE_PASSWORD", "AR_NATS_READER_PASSWORD")) {
            env.put(v, "pw-" + Long.toHexString(Double.doubleToLongBits(Math.random())));
        }
        env.put("DOCKER_BUILDKIT", "0");
        env.put("COMPOSE_DOCKER_CLI_BUILD", "0");

        stack = new DockerComposeContainer<>("arcompose",
                List.of(checkout.resolve("docker-compose.yml").toFile(),
                        checkout.resolve("docker/compose.host-network.yml").toFile()))
                .withEnv(env)
                .withPull(false) // no Docker Hub; the stand-ins are local
                .withBuild(true)
                .withRemoveVolumes(true)
                .withStartupTimeout(Duration.ofMinutes(5))
                // "healthy" is Docker's health status: whatever each image's (or the override's) health check asks
                .waitingFor("nats", Wait.forHealthcheck())
                .waitingFor("plugin-registry", Wait.forHealthcheck())
                .waitingFor("assessment-runtime", Wait.forHealthcheck());
        try {
            stack.start();
        } catch (RuntimeException e) {
            cleanUp();
            throw e;
        }
        Instant up = Instant.now();
        project = container("assessment-runtime").getCurrentContainerInfo().getConfig().getLabels()
                .get("com.docker.compose.project");
        log.atInfo().addKeyValue("baseImagesSeconds", Duration.between(t0, baseImagesDone).toSeconds())
                .addKeyValue("buildAndUpSeconds", Duration.between(baseImagesDone, up).toSeconds())
                .addKeyValue("project", project).log("compose stack healthy");
        for (String image : List.of(env.get("AR_REGISTRY_IMAGE"), env.get("AR_RUNTIME_IMAGE"))) {
            long size = docker.inspectImageCmd(image).exec().getSize();
            log.atInfo().addKeyValue("image", image).addKeyValue("megabytes", size / 1_000_000).log("image size");
        }

        String natsUrl = "nats://127.0.0.1:" + env.get("AR_HOST_NATS_PORT");
        controlPlane = connect(natsUrl, "control-plane", env.get("AR_NATS_CONTROL_PLANE_PASSWORD"));
        reader = connect(natsUrl, "reader", env.get("AR_NATS_READER_PASSWORD"));
        results = ResultWatch.subscribe(reader, "job.result");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (Connection c : new Connection[] {controlPlane, reader}) {
            if (c != null) {
                c.close();
            }
        }
        if (stack != null) {
            try {
                stack.stop(); // docker-compose down -v (a no-op when compose-down already ran)
            } catch (RuntimeException e) {
                log.atWarn().addKeyValue("error", e.toString()).log("compose down failed");
            }
        }
        if (docker != null && tag != null) {
            for (String image : List.of("ccf/ar-plugin-registry:" + tag, "ccf/assessment-runtime:" + tag)) {
                try {
                    docker.removeImageCmd(image).withForce(true).exec();
                } catch (RuntimeException e) {
                    log.atInfo().addKeyValue("image", image).log("image not there to remove");
                }
            }
            // the build stages (labelled io.ccf.ar.stage), untagged once their images are gone; vfs copies
            // every layer whole, so they are hundreds of MB each
            run(Duration.ofMinutes(5), "docker", "image", "prune", "-f", "--filter", "label=io.ccf.ar.stage");
        }
    }

    @Test
    @Order(1)
    void everyServiceIsHealthyAndListensOnLoopbackOnly() throws Exception {
        for (String service : List.of("nats", "plugin-registry", "assessment-runtime")) {
            InspectContainerResponse info = container(service).getCurrentContainerInfo();
            assertEquals("healthy", info.getState().getHealth().getStatus(), service);
            assertEquals("host", info.getHostConfig().getNetworkMode(), service + " is on the host's network");
        }
        // each listens on 127.0.0.1 only: NATS, its monitoring, the registry (nginx), the runtime's /readyz
        // /proc/net/tcp6 too: the JVM listens on a dual-stack socket even for 127.0.0.1 (::ffff:127.0.0.1)
        String listeners = Files.readString(Path.of("/proc/net/tcp")) + Files.readString(Path.of("/proc/net/tcp6"));
        List<String> listening = listeners.lines().map(String::trim).filter(l -> l.split("\\s+").length > 3)
                .filter(l -> l.split("\\s+")[3].equals("0A")).map(l -> l.split("\\s+")[1]).toList();
        for (String port : List.of(env.get("AR_HOST_NATS_PORT"), env.get("AR_HOST_NATS_MONITOR_PORT"),
                env.get("AR_HOST_REGISTRY_PORT"), env.get("AR_HOST_METRICS_PORT"))) {
            String hex = String.format(":%04X", Integer.parseInt(port));
            List<String> addresses = listening.stream().filter(a -> a.endsWith(hex))
                    .map(a -> a.substring(0, a.length() - hex.length())).toList();
            assertTrue(!addresses.isEmpty(), "something listens on port " + port);
            assertTrue(addresses.stream().allMatch(ComposeStackTest::isLoopback),
                    "port " + port + " listens on loopback only: " + addresses);
        }
        Set<String> networks = new TreeSet<>();
        for (Network n : docker.listNetworksCmd().exec()) {
            networks.add(n.getName());
        }
        assertTrue(networks.stream().noneMatch(n -> n.startsWith(project)), "compose made no network: " + networks);
    }

    @Test
    @Order(2)
    void aPlanEventDownloadsThePackageFromTheRegistryContainerAndRunsIt() throws Exception {
        assertEquals("{\"ok\":true}", request("runtime.configuration",
                "{\"type\":\"activated\",\"data\":" + plan("p1", "^1.0", "*/2 * * * * *") + "}"));
        JsonNode result = results.await(r -> r.path("planId").asText().equals("p1"), RESULT_TIMEOUT, ComposeStackTest::runtimeLogs);
        assertEquals("SUCCESS", result.path("status").asText(), result.toString());
        assertEquals(NEW_VERSION, result.path("version").asText(), "the highest 1.x, from the registry: " + result);
        assertTrue(runtimeLogs().contains("package installed from the registry"), runtimeLogs());
        assertEquals(1, registryHits(JAR_PATH), "downloaded once, from the registry container");
        String lock = exec("assessment-runtime", "cat", "/opt/ar/plugins/plugins.lock");
        assertTrue(lock.contains("\"" + NEW_VERSION + "\""), lock);
    }

    @Test
    @Order(3)
    void anAdHocRequestIsAnsweredAndRuns() throws Exception {
        // a plan of its own that (almost) never fires by itself: a request for a job that is running is refused
        assertEquals("{\"ok\":true}", request("runtime.configuration",
                "{\"type\":\"activated\",\"data\":" + plan(ON_REQUEST, "^1.0", "0 0 0 1 1 *") + "}"));
        JsonNode reply = JSON.readTree(request("runtime.assessment.request", ON_REQUEST_BODY));
        assertTrue(reply.path("accepted").asBoolean(), reply.toString());
        String runId = reply.path("runId").asText();
        JsonNode result = results.await(r -> r.path("runId").asText().equals(runId), RESULT_TIMEOUT, ComposeStackTest::runtimeLogs);
        assertEquals("SUCCESS", result.path("status").asText(), result.toString());
    }

    @Test
    @Order(4)
    void aRestartKeepsSpoolAndPackagesAndLosesNoResult() throws Exception {
        ContainerState runtime = container("assessment-runtime");
        String id = runtime.getContainerId();
        String spoolVolume = spoolVolume(runtime.getCurrentContainerInfo());
        // a run asked for just before the stop: its result must arrive, before the stop or after the start
        JsonNode reply = acceptedRequest(ON_REQUEST_BODY, Duration.ofSeconds(60));
        assertTrue(reply.path("accepted").asBoolean(), reply.toString());
        String runId = reply.path("runId").asText();
        // stopped while that run is in flight (a request the runtime has not started yet when it stops is
        // refused with a log line, and the requester asks again; not what this test is about)
        awaitLog("run started", runId, Duration.ofSeconds(60));

        long stopStarted = System.nanoTime();
        docker.stopContainerCmd(id).withTimeout(40).exec(); // compose's stop_grace_period
        long stopSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopStarted);
        InspectContainerResponse stopped = docker.inspectContainerCmd(id).exec();
        String logsAtStop = runtimeLogs();
        assertTrue(stopSeconds < 40, "stopped within its grace period, not killed: " + stopSeconds + " s");
        assertTrue(List.of(0L, 143L).contains(stopped.getState().getExitCodeLong()),
                "exit code after SIGTERM: " + stopped.getState().getExitCodeLong() + "\n" + logsAtStop);
        assertTrue(logsAtStop.contains("runtime stopped"), "the daemon ran its shutdown:\n" + logsAtStop);
        assertTrue(logsAtStop.lines().anyMatch(l -> l.contains("plugin stopped") && l.contains("graceful=\"true\"")),
                "its plugins were stopped, not left behind:\n" + logsAtStop);

        docker.startContainerCmd(id).exec();
        awaitHealthy(id, Duration.ofMinutes(3));
        assertEquals(spoolVolume, spoolVolume(docker.inspectContainerCmd(id).exec()), "the same spool volume");

        results.await(r -> r.path("runId").asText().equals(runId), RESULT_TIMEOUT, ComposeStackTest::runtimeLogs);
        // and the restarted runtime answers and runs again, from the package it installed before
        JsonNode again = JSON.readTree(request("runtime.assessment.request", ON_REQUEST_BODY));
        assertTrue(again.path("accepted").asBoolean(), again.toString());
        JsonNode after = results.await(r -> r.path("runId").asText().equals(again.path("runId").asText()),
                RESULT_TIMEOUT, ComposeStackTest::runtimeLogs);
        assertEquals("SUCCESS", after.path("status").asText(), after.toString());
        assertEquals(1, registryHits(JAR_PATH), "the installed package survived: not downloaded again");
    }

    @Test
    @Order(5)
    void composeDownLeavesNoContainerAndNoNetwork() throws Exception {
        controlPlane.close(); // not left reconnecting to a NATS that is gone
        reader.close();
        Map<String, String> down = new HashMap<>(env);
        down.put("COMPOSE_PROJECT_NAME", project);
        down.put("AR_COMPOSE_NETWORK", "host");
        Result r = run(Duration.ofMinutes(5), down, checkout, "make", "compose-down");
        assertEquals(0, r.exitCode(), r.output());
        List<Container> left = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("com.docker.compose.project", project)).exec();
        assertTrue(left.isEmpty(), "containers left: " + left);
        assertTrue(docker.listNetworksCmd().exec().stream().noneMatch(n -> n.getName().startsWith(project)), "no network left");
    }

    /**
     * sample@1.1.0 into the checkout's build/registry with this build's {@code ar publish} (as {@code make
     * registry} does), which the registry image adds to its tree: a version the runtime image does not ship,
     * so a plan naming ^1.0 makes the runtime download it.
     */
    private static void publishIntoCheckoutRegistry() throws Exception {
        Path ar = REPO.resolve("runtime/target/ar.jar");
        Path sample = REPO.resolve("sample-plugin/target/sample.jar");
        for (Path jar : List.of(ar, sample)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: build the runtime and sample-plugin modules first");
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Result r = run(Duration.ofMinutes(2), Map.of(), checkout, java, "-jar", ar.toString(), "publish",
                "sample@" + NEW_VERSION, sample.toString(), "--to", checkout.resolve("build/registry").toString());
        assertEquals(0, r.exitCode(), "ar publish: " + r.output());
    }

    /** A local address of /proc/net/tcp(6): 127.0.0.1, ::ffff:127.0.0.1 or ::1. */
    private static boolean isLoopback(String hexAddress) {
        return hexAddress.equals("0100007F") || hexAddress.equals("0000000000000000FFFF00000100007F")
                || hexAddress.equals("00000000000000000000000001000000");
    }

    private static String plan(String id, String version, String schedule) {
        return "{\"id\":\"" + id + "\",\"title\":\"T\",\"tasks\":[{\"id\":\"t1\",\"title\":\"Task\",\"schedule\":\"" + schedule + "\","
                + "\"activities\":[{\"id\":\"a1\",\"title\":\"A\",\"provider\":{\"name\":\"busy\",\"package\":\"sample\","
                + "\"version\":\"" + version + "\"}}]}]}";
    }

    /**
     * Asks for a run until it is accepted or the deadline passes: the previous test's run of the same job may still
     * be going, and the runtime refuses a second one with "try again when its run is over", as a client is told to.
     */
    private static JsonNode acceptedRequest(String body, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode reply = JSON.readTree(request("runtime.assessment.request", body));
            if (reply.path("accepted").asBoolean() || !reply.path("error").asText().contains("try again")
                    || System.nanoTime() > deadline) {
                return reply;
            }
            Thread.sleep(500); // polling the runtime's answer, as its error says to
        }
    }

    private static String request(String subject, String body) throws Exception {
        Message reply = controlPlane.request(subject, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        assertNotNull(reply, "no reply on " + subject + "; runtime logs:\n" + runtimeLogs());
        return new String(reply.getData(), StandardCharsets.UTF_8);
    }

    /** As {@code user}, with the reply inboxes docker/nats-server.conf allows it ({@code _INBOX_<user>}). */
    private static Connection connect(String url, String user, String password) throws Exception {
        return Nats.connect(new Options.Builder().server(url).userInfo(user, password)
                .inboxPrefix("_INBOX_" + user.replace('-', '_')).connectionTimeout(Duration.ofSeconds(10)).build());
    }

    private static ContainerState container(String service) {
        return stack.getContainerByServiceName(service)
                .orElseThrow(() -> new AssertionError("no container for service " + service));
    }

    private static String spoolVolume(InspectContainerResponse info) {
        return info.getMounts().stream().filter(m -> m.getDestination().getPath().equals("/opt/ar/spool"))
                .map(InspectContainerResponse.Mount::getName).findFirst().orElseThrow();
    }

    private static void awaitLog(String event, String runId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (runtimeLogs().lines().anyMatch(l -> l.contains(event) && l.contains(runId))) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no \"" + event + "\" for run " + runId + " within " + timeout + "; logs:\n" + runtimeLogs());
    }

    private static void awaitHealthy(String id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
            status = state.getHealth() == null ? "no health check" : state.getHealth().getStatus();
            if ("healthy".equals(status)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not healthy within " + timeout + " (" + status + "); logs:\n" + runtimeLogs());
    }

    /** Requests for path in the registry's access log: nginx's own file (Debian) or the container's output (upstream image). */
    private static long registryHits(String path) throws Exception {
        String id = container("plugin-registry").getContainerId();
        String log = exec("plugin-registry", "sh", "-c",
                "f=/var/log/nginx/access.log; [ -f \"$f\" ] && [ ! -L \"$f\" ] && cat \"$f\"; true")
                + run(Duration.ofMinutes(1), "docker", "logs", id).output();
        return log.lines().filter(l -> l.contains("\"GET " + path + " ")).count();
    }

    private static String runtimeLogs() {
        try {
            return run(Duration.ofMinutes(1), "docker", "logs", "--tail", "200", container("assessment-runtime").getContainerId()).output();
        } catch (Exception e) {
            return "(no logs: " + e + ")";
        }
    }

    private static String exec(String service, String... command) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("docker", "exec", container(service).getContainerId()));
        cmd.addAll(List.of(command));
        Result r = run(Duration.ofMinutes(1), cmd.toArray(String[]::new));
        assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.output());
        return r.output();
    }

    private static boolean onPath(String executable) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, executable))) {
                return true;
            }
        }
        return false;
    }

    record Result(int exitCode, String output) {
    }

    static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        return run(timeout, Map.of(), REPO, command);
    }

    static Result run(Duration timeout, Map<String, String> extraEnv, Path dir, String... command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("compose-test", ".log");
        try {
            ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            b.environment().putAll(extraEnv);
            Process p = b.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                return new Result(-1, "timed out: " + String.join(" ", command) + "\n" + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
