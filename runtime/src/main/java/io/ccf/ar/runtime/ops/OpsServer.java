package io.ccf.ar.runtime.ops;

import io.ccf.ar.runtime.json.JsonMappers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import io.ccf.ar.runtime.config.MetricsSettings;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The operations listener ({@code metrics.listen}): {@code /metrics} (the Prometheus client's own handler, text or
 * OpenMetrics or protobuf as the scraper asks), {@code /healthz} and {@code /readyz} (JSON, 200 or 503), on the JDK
 * HTTP server the Prometheus exporter is built on. Two threads of its own, so a slow scrape never holds up a probe
 * for long and the daemon's work never waits for either.
 */
final class OpsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
    private static final ObjectMapper JSON = JsonMappers.FILES;

    private final HttpServer server;
    private final ExecutorService threads;

    private OpsServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /**
     * Binds {@code settings}' address and serves until {@link #close}.
     *
     * @throws IllegalStateException naming {@value MetricsSettings#SETTING} when the address cannot be bound (in use,
     *                               not an address of this host)
     */
    static OpsServer start(MetricsSettings settings, PrometheusRegistry registry, HealthChecks health) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 16);
        } catch (BindException e) {
            throw new IllegalStateException(MetricsSettings.SETTING + ": cannot listen on " + settings.listen() + ": "
                    + e.getMessage() + " (another process has the port, or the address is not this host's); set "
                    + MetricsSettings.SETTING + " (env AR_METRICS_LISTEN) to a free HOST:PORT, or to \"\" to turn"
                    + " metrics and health off", e);
        } catch (IOException e) {
            throw new IllegalStateException(MetricsSettings.SETTING + ": cannot listen on " + settings.listen() + ": "
                    + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ops-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/metrics", new MetricsHandler(registry));
        server.createContext("/healthz", json(() -> health.liveness(), "ok", "failing"));
        server.createContext("/readyz", json(health::readiness, "ready", "not ready"));
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = "not found; try /metrics, /healthz or /readyz\n".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(404, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        OpsServer ops = new OpsServer(server, threads);
        log.atInfo().addKeyValue("address", ops.url()).addKeyValue("setting", MetricsSettings.SETTING)
                .log("metrics and health on " + ops.url() + " (/metrics, /healthz, /readyz)");
        return ops;
    }

    /** {@code http://HOST:PORT} as bound (the real port when the setting says 0). */
    String url() {
        InetSocketAddress bound = server.getAddress();
        String host = bound.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    @FunctionalInterface
    private interface ReportSource {
        HealthReport get() throws InterruptedException;
    }

    private static HttpHandler json(ReportSource source, String okWord, String failWord) {
        return exchange -> {
            try (exchange) {
                if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                HealthReport report;
                try {
                    report = source.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    exchange.sendResponseHeaders(503, -1);
                    return;
                } catch (RuntimeException e) {
                    log.atWarn().addKeyValue("path", exchange.getRequestURI().getPath()).setCause(e)
                            .log("health check failed unexpectedly");
                    report = HealthReport.of(java.util.Map.of("check",
                            new HealthReport.Check(false, "the check failed: " + e)), java.util.Map.of());
                }
                send(exchange, report.ok() ? 200 : 503, JSON.writeValueAsBytes(report.toJson(okWord, failWord)));
            }
        };
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
