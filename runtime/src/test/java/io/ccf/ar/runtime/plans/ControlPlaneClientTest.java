package io.ccf.ar.runtime.plans;

import static io.ccf.ar.runtime.plans.TestPlans.document;
import static io.ccf.ar.runtime.plans.TestPlans.full;
import static io.ccf.ar.runtime.plans.TestPlans.json;
import static io.ccf.ar.runtime.plans.TestPlans.minimal;
import static io.ccf.ar.runtime.plans.TestPlans.withoutSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ccf.ar.runtime.config.PlanSpec;

class ControlPlaneClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger clientLog = (Logger) LoggerFactory.getLogger(ControlPlaneClient.class);
    private HttpServer server;
    private volatile String requestedPath;
    private volatile int status = 200;
    private volatile byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
    private volatile boolean hang;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(handlers);
        server.start();
        logged.start();
        clientLog.addAppender(logged);
    }

    @AfterEach
    void stop() throws InterruptedException {
        clientLog.detachAppender(logged);
        release.countDown();
        server.stop(0);
        handlers.shutdownNow();
        assertTrue(handlers.awaitTermination(10, TimeUnit.SECONDS));
    }

    private void handle(HttpExchange exchange) throws IOException {
        requestedPath = exchange.getRequestURI().getPath();
        if (hang) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void fetchesEveryJobFromRuntimeJobs() {
        body = json(List.of(document(full("p1")), document(minimal("p2"))));

        List<PlanSpec> plans = new ControlPlaneClient().fetchJobs(base(), TIMEOUT);

        assertEquals("/runtime/jobs", requestedPath);
        assertEquals(List.of(withoutSource(full("p1")), withoutSource(minimal("p2"))),
                plans.stream().map(TestPlans::withoutSource).toList());
        assertEquals("control plane " + base() + "/runtime/jobs[1]", plans.get(1).source());
    }

    @Test
    void aBaseUrlWithAPathAndTrailingSlashIsJoinedCleanly() {
        new ControlPlaneClient().fetchJobs(URI.create(base() + "/api/v1/"), TIMEOUT);
        assertEquals("/api/v1/runtime/jobs", requestedPath);
    }

    @Test
    void aBadEntryIsReportedAndSkippedAndTheOthersKept() {
        body = json(List.of(document(minimal("p1")), Map.of("id", "bad", "tasks", List.of(Map.of("id", "t1"))),
                "not a job", document(minimal("p1")), document(minimal("p3"))));

        List<PlanSpec> plans = new ControlPlaneClient().fetchJobs(base(), TIMEOUT);

        assertEquals(List.of("p1", "p3"), plans.stream().map(PlanSpec::id).toList());
        String url = base() + "/runtime/jobs";
        assertEquals(List.of(
                "control plane job skipped:\n  control plane " + url + "[1]: tasks[0].schedule: is required",
                "control plane job skipped:\n  control plane " + url + "[2]: expected an object (a job), got a string",
                "control plane job skipped:\n  control plane " + url + "[3]: id: duplicate plan id \"p1\": already"
                        + " sent at [0]"),
                logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    }

    @Test
    void nullMeansNoJobs() {
        body = "null".getBytes(StandardCharsets.UTF_8); // what Go's encoding/json makes of an empty (nil) slice
        assertEquals(List.of(), new ControlPlaneClient().fetchJobs(base(), TIMEOUT));
    }

    @Test
    void anHttpErrorNamesTheUrlAndStatus() {
        status = 500;
        body = "{\"error\": \"database\n down\"}".getBytes(StandardCharsets.UTF_8);

        ControlPlaneException e = assertThrows(ControlPlaneException.class,
                () -> new ControlPlaneClient().fetchJobs(base(), TIMEOUT));

        assertEquals("control plane " + base() + "/runtime/jobs answered HTTP 500: {\"error\": \"database down\"}",
                e.getMessage());
    }

    @Test
    void aSlowControlPlaneTimesOut() {
        hang = true;
        long start = System.nanoTime();

        ControlPlaneException e = assertThrows(ControlPlaneException.class,
                () -> new ControlPlaneClient().fetchJobs(base(), Duration.ofMillis(300)));

        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("control plane " + base() + "/runtime/jobs did not answer within 300 ms", e.getMessage());
        assertTrue(tookMillis < 5000, "took " + tookMillis + " ms");
    }

    @Test
    void aBodyThatIsNotJsonIsAClearError() {
        body = "<html>Bad gateway</html>".getBytes(StandardCharsets.UTF_8);

        ControlPlaneException e = assertThrows(ControlPlaneException.class,
                () -> new ControlPlaneClient().fetchJobs(base(), TIMEOUT));

        assertTrue(e.getMessage().startsWith("control plane " + base() + "/runtime/jobs (HTTP 200) did not answer JSON:"
                + " not valid JSON: Unexpected character ('<'"), e.getMessage());
        assertTrue(e.getMessage().endsWith(": <html>Bad gateway</html>"), e.getMessage());
    }

    @Test
    void anObjectInsteadOfAnArrayIsAClearError() {
        body = json(document(minimal("p1")));
        ControlPlaneException e = assertThrows(ControlPlaneException.class,
                () -> new ControlPlaneClient().fetchJobs(base(), TIMEOUT));
        assertEquals("control plane " + base() + "/runtime/jobs (HTTP 200) answered an object, expected a JSON array"
                + " of jobs", e.getMessage());
    }

    @Test
    void anUnreachableControlPlaneNamesTheUrl() {
        URI closed = base();
        server.stop(0);
        ControlPlaneException e = assertThrows(ControlPlaneException.class,
                () -> new ControlPlaneClient().fetchJobs(closed, TIMEOUT));
        assertTrue(e.getMessage().startsWith("cannot reach control plane " + closed + "/runtime/jobs: "), e.getMessage());
    }
}
