package io.ccf.ar.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.Processes;

/**
 * /metrics, /healthz and /readyz of real daemon processes, over HTTP: the figures move as runs happen, readiness
 * waits for the plugins' first start and stays while NATS is down (local fallback, results spooled), and a port
 * already in use is a clear error naming metrics.listen.
 */
class OpsEndpointsDaemonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** Every label an ar_ metric may have: none of them takes a run id, subject or result id. */
    private static final java.util.Set<String> BOUNDED_LABELS = java.util.Set.of("job", "outcome", "package", "version",
            "result", "status", "reason", "via", "mode", "state", "le");
    private static final String BUSY = "  - name: busy\n    package: sample\n    version: 1.0.0\n    schedule: \"* * * * * *\"\n";

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private final List<CliProcess> daemons = new ArrayList<>();

    @AfterEach
    void tearDown() {
        daemons.forEach(CliProcess::close);
        if (nats != null) {
            nats.close();
        }
    }

    private Path home(String extraConfig) throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(home.resolve("assessments"));
        Files.writeString(home.resolve("config.yml"), "runtimeId: ops-test\n"
                + "pluginsDir: " + dir.resolve("plugins") + "\n"
                + "execution:\n  gracePeriod: 5s\n"
                + extraConfig);
        return home;
    }

    private CliProcess daemon(Path home) throws Exception {
        CliProcess ar = CliProcess.start(home, "--config", "config.yml");
        daemons.add(ar);
        return ar;
    }

    private String natsConfig() {
        return "eventBusURL: " + nats.url() + "\n"
                + "nats:\n  ackWait: 2s\n  misfireDeadline: 30s\n  localFallbackAfter: 1s\n";
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        return JSON.readTree(response.body());
    }

    /** Scrapes until {@code condition} holds on a scrape; returns that scrape, or fails with the last one. */
    private static Scrape awaitScrape(String base, java.util.function.Predicate<Scrape> condition) throws Exception {
        AtomicReference<Scrape> last = new AtomicReference<>();
        boolean met = Processes.eventually(TIMEOUT, () -> {
            try {
                last.set(Scrape.of(base));
                return condition.test(last.get());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(met, () -> "condition not met within " + TIMEOUT + "; last scrape:\n"
                + (last.get() == null ? "none" : last.get().text));
        return last.get();
    }

    private static HttpResponse<String> awaitStatus(String url, int status) throws Exception {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        boolean met = Processes.eventually(TIMEOUT, () -> {
            try {
                last.set(Scrape.get(url));
                return last.get().statusCode() == status;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(met, () -> url + " did not answer " + status + "; last: " + last.get().statusCode() + " "
                + last.get().body());
        return last.get();
    }

    @Test
    void aScrapeShowsTheRunsPluginsSchedulerAndResultsMove() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")));
        new TestPackages(dir.resolve("plugins")).jar("sample", "1.0.0", TestPackages.sampleJar());
        CliProcess ar = daemon(home(natsConfig() + "plugins:\n" + BUSY));
        String base = Scrape.baseUrl(ar, TIMEOUT);
        assertTrue(base.startsWith("http://127.0.0.1:"), base);

        Map<String, String> busySucceeded = Map.of("job", "plugin/busy", "outcome", "SUCCEEDED");
        Scrape first = awaitScrape(base, s -> s.value("ar_runs_finished_total", busySucceeded) >= 1);
        Scrape later = awaitScrape(base, s -> s.value("ar_runs_finished_total", busySucceeded)
                > first.value("ar_runs_finished_total", busySucceeded)
                && s.value("ar_results_published_total", Map.of("via", "direct")) >= 1);

        Map<String, String> sample = Map.of("package", "sample", "version", "1.0.0");
        assertTrue(later.value("ar_runs_started_total", Map.of("job", "plugin/busy"))
                >= later.value("ar_runs_finished_total", busySucceeded), later.text);
        assertEquals(1, later.value("ar_plugin_up", sample), later.text);
        assertEquals(1, later.value("ar_plugin_start_seconds_count", sample), later.text);
        assertEquals(0, later.value("ar_plugin_restarts_total", sample), later.text);
        assertTrue(later.value("ar_execute_duration_seconds_count", Map.of("package", "sample", "result", "ok")) >= 2,
                later.text);
        assertTrue(later.value("ar_run_duration_seconds_count", sample) >= 2, later.text);
        assertTrue(later.value("ar_results_total", Map.of("status", "SUCCESS")) >= 2, later.text);
        assertTrue(later.value("ar_scheduler_fire_lateness_seconds_count") >= 2, later.text);
        assertTrue(later.value("ar_triggers_taken_total") >= 2, later.text);
        assertEquals(0, later.value("ar_scheduler_fires_dropped_total"), later.text);
        assertEquals(0, later.value("ar_fires_untaken_total"), later.text); // every fire was taken
        assertTrue(later.has("ar_fires_run_locally_total") && later.has("ar_trigger_acks_resent_total"), later.text);
        assertEquals(1, later.value("ar_nats_connected"), later.text);
        assertEquals(1, later.value("ar_nats_connection_state", Map.of("state", "CONNECTED")), later.text);
        assertEquals(1, later.value("ar_schedule_mode", Map.of("mode", "shared")), later.text);
        assertEquals(0, later.value("ar_spool_entries"), later.text);
        assertTrue(later.has("ar_spool_bytes") && later.has("ar_results_dead_lettered_total"), later.text);
        assertTrue(later.has("jvm_memory_used_bytes") && later.has("jvm_threads_current"), "JVM metrics: " + later.text);

        // Prometheus conventions: counters end in _total, durations in _seconds, bounded labels (no run ids)
        later.types.forEach((family, type) -> {
            if (family.startsWith("ar_") && type.equals("histogram")) {
                assertTrue(family.endsWith("_seconds"), family);
            }
        });
        for (Scrape.Sample s : later.samples) {
            if (s.name().startsWith("ar_") && "counter".equals(later.types.get(s.name().replaceFirst("_total$", "")))) {
                assertTrue(s.name().endsWith("_total"), s.name());
            }
            if (s.name().startsWith("ar_")) {
                assertTrue(BOUNDED_LABELS.containsAll(s.labels().keySet()), s.toString());
                assertFalse(s.labels().values().stream().anyMatch(v -> UUID.matcher(v).find()), s.toString());
            }
        }

        HttpResponse<String> raw = Scrape.get(base + "/metrics");
        assertTrue(raw.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), raw.headers().toString());
        HttpResponse<String> health = Scrape.get(base + "/healthz");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("ok", json(health).path("status").asText());
        assertTrue(json(health).path("checks").path("scheduler").path("ok").asBoolean(), health.body());
        assertEquals("CONNECTED", json(health).path("checks").path("nats").path("detail").asText(), health.body());
        HttpResponse<String> ready = Scrape.get(base + "/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("ready", json(ready).path("status").asText());
        assertTrue(json(ready).path("checks").path("schedule").path("detail").asText().contains("shared"), ready.body());
        assertEquals(404, Scrape.get(base + "/nothing").statusCode());
    }

    @Test
    void readyOnlyOnceThePluginsFirstStartIsOverAndAFailingPluginDoesNotHoldItBack() throws Exception {
        TestPackages packages = new TestPackages(dir.resolve("plugins"));
        Path gate = dir.resolve("gate");
        String java = ProcessHandle.current().info().command().orElse("java");
        // starts only once the test opens the gate: the daemon is up and its plugins are still starting
        packages.script("gated", "1.0.0", "while [ ! -e '" + gate + "' ]; do sleep 0.05; done\nexec '" + java
                + "' -jar '" + TestPackages.sampleJar() + "'");
        packages.script("broken", "1.0.0", "echo 'broken on purpose' >&2\nexit 3");
        CliProcess ar = daemon(home("plugins:\n"
                + "  - name: gated\n    package: gated\n    version: 1.0.0\n    schedule: \"* * * * * *\"\n"
                + "  - name: broken\n    package: broken\n    version: 1.0.0\n    schedule: \"@every 1h\"\n"));
        String base = Scrape.baseUrl(ar, TIMEOUT);

        HttpResponse<String> before = Scrape.get(base + "/readyz");
        assertEquals(503, before.statusCode(), before.body());
        assertEquals("not ready", json(before).path("status").asText());
        assertFalse(json(before).path("checks").path("plugins").path("ok").asBoolean(), before.body());
        assertTrue(json(before).path("checks").path("plugins").path("detail").asText().contains("starting"), before.body());
        HttpResponse<String> alive = Scrape.get(base + "/healthz");
        assertEquals(200, alive.statusCode(), "alive while plugins start: " + alive.body());

        Files.createFile(gate);
        HttpResponse<String> after = awaitStatus(base + "/readyz", 200);
        String plugins = json(after).path("checks").path("plugins").path("detail").asText();
        assertTrue(plugins.contains("gated@1.0.0=READY") && plugins.contains("broken@1.0.0=FAILED")
                && plugins.contains("1 failing, restarted with backoff"), after.body());
        assertEquals("standalone (no event bus)", json(after).path("checks").path("schedule").path("detail").asText());
        assertTrue(json(after).path("checks").path("spool").path("ok").asBoolean(), after.body());

        Scrape scrape = awaitScrape(base, s -> s.value("ar_runs_finished_total", Map.of("job", "plugin/gated")) >= 1);
        assertEquals(1, scrape.value("ar_plugin_up", Map.of("package", "gated")), scrape.text);
        assertEquals(0, scrape.value("ar_plugin_up", Map.of("package", "broken")), scrape.text);
        assertTrue(scrape.value("ar_plugin_start_failures_total", Map.of("package", "broken")) >= 1, scrape.text);
        assertEquals(1, scrape.value("ar_schedule_mode", Map.of("mode", "standalone")), scrape.text);
        assertFalse(scrape.has("ar_nats_connected"), "no NATS metrics without an event bus");
    }

    @Test
    void whileNatsIsDownTheRuntimeStaysReadyOnTheLocalFallbackAndSpools() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")));
        new TestPackages(dir.resolve("plugins")).jar("sample", "1.0.0", TestPackages.sampleJar());
        CliProcess ar = daemon(home(natsConfig() + "plugins:\n" + BUSY));
        String base = Scrape.baseUrl(ar, TIMEOUT);
        awaitScrape(base, s -> s.value("ar_schedule_mode", Map.of("mode", "shared")) == 1
                && s.value("ar_results_published_total", Map.of("via", "direct")) >= 1);

        nats.stop();
        Scrape down = awaitScrape(base, s -> s.value("ar_nats_connected") == 0
                && s.value("ar_schedule_mode", Map.of("mode", "local")) == 1
                && s.value("ar_results_spooled_total") >= 2 && s.value("ar_spool_entries") >= 1
                && s.value("ar_fires_run_locally_total") >= 1);
        assertTrue(down.value("ar_spool_bytes") > 0, down.text);
        HttpResponse<String> ready = Scrape.get(base + "/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        JsonNode body = json(ready);
        assertTrue(body.path("checks").path("schedule").path("detail").asText().startsWith("local fallback"), ready.body());
        assertFalse(body.path("info").path("nats").asText().equals("CONNECTED"), ready.body());
        assertTrue(body.path("checks").path("spool").path("ok").asBoolean(), ready.body());
        HttpResponse<String> alive = Scrape.get(base + "/healthz");
        assertEquals(200, alive.statusCode(), "NATS away is not a reason to restart the runtime: " + alive.body());

        nats.startProcess();
        Scrape back = awaitScrape(base, s -> s.value("ar_nats_connected") == 1
                && s.value("ar_schedule_mode", Map.of("mode", "shared")) == 1
                && s.value("ar_results_published_total", Map.of("via", "spool")) >= 1
                && s.value("ar_spool_entries") == 0);
        assertEquals(0, back.value("ar_results_lost_total"), back.text);
    }

    @Test
    void aPortAlreadyInUseIsAClearErrorNamingTheSetting() throws Exception {
        new TestPackages(dir.resolve("plugins")).jar("sample", "1.0.0", TestPackages.sampleJar());
        Path home = home("plugins:\n" + BUSY);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String listen = "127.0.0.1:" + taken.getLocalPort();
            CliProcess ar = CliProcess.startWithEnvironment(home, Map.of("AR_METRICS_LISTEN", listen),
                    "--config", "config.yml");
            daemons.add(ar);
            assertEquals(1, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            String stderr = String.join("\n", ar.stderr());
            assertTrue(stderr.contains("ar: metrics.listen: cannot listen on " + listen), stderr);
            assertTrue(stderr.contains("AR_METRICS_LISTEN"), stderr);
        }
    }

    @Test
    void anEmptyListenTurnsTheEndpointsOff() throws Exception {
        new TestPackages(dir.resolve("plugins")).jar("sample", "1.0.0", TestPackages.sampleJar());
        CliProcess ar = CliProcess.startWithEnvironment(home("plugins:\n" + BUSY), Map.of("AR_METRICS_LISTEN", ""),
                "--config", "config.yml");
        daemons.add(ar);
        ar.awaitLog("cron scheduler started", TIMEOUT);
        assertFalse(String.join("\n", ar.stderr()).contains("metrics and health on"), String.join("\n", ar.stderr()));
    }
}
