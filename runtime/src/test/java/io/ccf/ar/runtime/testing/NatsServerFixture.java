package io.ccf.ar.runtime.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real nats-server (Debian's package; .ci/run installs it) with JetStream, on free loopback ports,
 * for tests. One node, or a 3-node cluster via {@link #cluster}. Stop, kill and restart keep the
 * port and the store, as an operator's restart would.
 */
public final class NatsServerFixture implements AutoCloseable {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    private final String name;
    private final Path configFile;
    private final int port;
    private final List<String> log = new ArrayList<>();
    private Map<String, String> environment = Map.of();
    private Process process;

    private NatsServerFixture(String name, Path configFile, int port) {
        this.name = name;
        this.configFile = configFile;
        this.port = port;
    }

    /** One JetStream-enabled server with its store under {@code dir}. */
    public static NatsServerFixture start(Path dir) {
        int port = freePort();
        NatsServerFixture server = new NatsServerFixture("n1", writeConfig(dir, "n1", port, null, List.of()), port);
        server.startProcess();
        return server;
    }

    /**
     * One JetStream-enabled server with extra config blocks appended verbatim, e.g. {@code authorization { ... }},
     * {@code tls { ... }}, or {@code operator: ...} with {@code resolver: MEMORY} and {@code resolver_preload}.
     */
    public static NatsServerFixture start(Path dir, String... extraConfig) {
        return start(dir, true, extraConfig);
    }

    /** As {@link #start(Path, String...)}; without JetStream when {@code jetStream} is false (e.g. operator mode). */
    public static NatsServerFixture start(Path dir, boolean jetStream, String... extraConfig) {
        int port = freePort();
        Path conf = writeConfig(dir, "n1", port, null, List.of(), jetStream, String.join("\n", extraConfig));
        NatsServerFixture server = new NatsServerFixture("n1", conf, port);
        server.startProcess();
        return server;
    }

    /**
     * One JetStream-enabled server whose config ends with {@code extraConfig} (e.g. an {@code authorization}
     * block), started with {@code environment} added (for the {@code $VAR}s it names).
     */
    public static NatsServerFixture start(Path dir, String extraConfig, Map<String, String> environment) {
        int port = freePort();
        Path config = writeConfig(dir, "n1", port, null, List.of(), true, extraConfig);
        NatsServerFixture server = new NatsServerFixture("n1", config, port);
        server.environment = Map.copyOf(environment);
        server.startProcess();
        return server;
    }

    /** Three JetStream servers clustered on loopback (so R3 streams work). */
    public static List<NatsServerFixture> cluster(Path dir) {
        int[] ports = {freePort(), freePort(), freePort()};
        int[] routes = {freePort(), freePort(), freePort()};
        List<NatsServerFixture> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<String> peers = new ArrayList<>();
            for (int j = 0; j < 3; j++) {
                if (j != i) {
                    peers.add("nats://127.0.0.1:" + routes[j]);
                }
            }
            String name = "n" + (i + 1);
            nodes.add(new NatsServerFixture(name, writeConfig(dir, name, ports[i], routes[i], peers), ports[i]));
        }
        List<CompletableFuture<Void>> starts = nodes.stream()
                .map(n -> CompletableFuture.runAsync(n::startProcess)).toList();
        starts.forEach(CompletableFuture::join);
        return nodes;
    }

    private static Path writeConfig(Path dir, String name, int port, Integer routePort, List<String> routes) {
        return writeConfig(dir, name, port, routePort, routes, true, "");
    }

    private static Path writeConfig(Path dir, String name, int port, Integer routePort, List<String> routes,
            boolean jetStream, String extra) {
        try {
            Path store = Files.createDirectories(dir.resolve(name + "-store"));
            StringBuilder conf = new StringBuilder()
                    .append("server_name: ").append(name).append('\n')
                    .append("listen: 127.0.0.1:").append(port).append('\n');
            if (jetStream) {
                conf.append("jetstream { store_dir: \"").append(store).append("\" }\n");
            }
            if (!extra.isEmpty()) {
                conf.append(extra).append('\n');
            }
            if (routePort != null) {
                conf.append("cluster {\n  name: ar-test\n  listen: 127.0.0.1:").append(routePort).append('\n')
                        .append("  routes: [").append(String.join(", ", routes)).append("]\n}\n");
            }
            return Files.writeString(dir.resolve(name + ".conf"), conf.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts (or restarts) the server and waits until it says it is ready. */
    public synchronized void startProcess() {
        if (!Files.isExecutable(NATS_SERVER)) {
            throw new IllegalStateException(NATS_SERVER + " not found: install Debian's nats-server (see .ci/run)");
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(NATS_SERVER.toString(), "-c", configFile.toString())
                    .redirectErrorStream(true);
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Process p = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.add(line);
                    }
                    if (line.contains("Server is ready")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // server gone
            }
            ready.completeExceptionally(new IllegalStateException("nats-server " + name + " exited: " + logTail()));
        }, "nats-" + name);
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("nats-server " + name + " did not become ready: " + logTail(), e);
        }
    }

    /** SIGTERM and wait: a clean stop. */
    public synchronized void stop() {
        if (process != null && process.isAlive()) {
            process.toHandle().destroy();
            waitExit(Duration.ofSeconds(15));
        }
    }

    /** SIGSTOP: a server that hangs (its connections stay open, nothing is answered) until {@link #kill} or SIGCONT. */
    public synchronized void freeze() {
        try {
            Process p = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).redirectErrorStream(true).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("kill -STOP failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL and wait: a crash. */
    public synchronized void kill() {
        if (process != null && process.isAlive()) {
            process.toHandle().destroyForcibly();
            waitExit(Duration.ofSeconds(15));
        }
    }

    private void waitExit(Duration timeout) {
        try {
            process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every line the server has printed so far (e.g. to find a permissions violation). */
    public List<String> logLines() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    public String logTail() {
        synchronized (log) {
            return String.join("\n", log.subList(Math.max(0, log.size() - 20), log.size()));
        }
    }

    @Override
    public void close() {
        kill();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
