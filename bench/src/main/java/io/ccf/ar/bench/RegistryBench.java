package io.ccf.ar.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.ccf.ar.runtime.app.PackageProvisioner;
import io.ccf.ar.runtime.config.PackageVersion;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.registry.DownloaderOptions;
import io.ccf.ar.runtime.registry.HttpPackageSource;
import io.ccf.ar.runtime.registry.LockFile;
import io.ccf.ar.runtime.registry.StaticRegistryTree;

/**
 * Installing package versions from a static registry: the daemon's start-up provisioning of N packages
 * with 1 download at a time (the baseline) against the default parallelism, from a loopback registry and
 * from one throttled like a remote registry (first-byte latency and a per-connection bandwidth cap,
 * emulated by the registry server of this benchmark); and the cost of the plugins.lock check that
 * runs before every plugin launch. Prints a Markdown report on stdout.
 *
 * <p>Usage: {@code java -cp bench/target/bench.jar io.ccf.ar.bench.RegistryBench PACKAGE_FILE [packages] [latencyMs] [mbPerSecond]}
 * (defaults 8, 40, 25).
 */
public final class RegistryBench {
    private static final int ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        System.setProperty("AR_LOG_LEVEL", "WARN");
        if (args.length < 1) {
            System.err.println("usage: RegistryBench PACKAGE_FILE [packages] [latencyMs] [mbPerSecond]");
            System.exit(2);
        }
        Path packageFile = Path.of(args[0]);
        int packages = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int latencyMs = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        int mbPerSecond = args.length > 3 ? Integer.parseInt(args[3]) : 25;

        Path work = Files.createTempDirectory("ar-registry-bench");
        try {
            StaticRegistryTree tree = new StaticRegistryTree(work.resolve("registry"));
            List<PackageVersion> needed = new ArrayList<>();
            for (int i = 0; i < packages; i++) {
                tree.publish("pkg" + i, "1.0.0", packageFile);
                needed.add(new PackageVersion("pkg" + i, "1.0.0"));
            }
            long size = Files.size(packageFile);
            System.out.printf("## Registry: installing %d packages of %.1f MB%n%n", packages, size / 1e6);
            System.out.println("| registry | downloads at once | median time (of " + ROUNDS + ") | MB/s | vs 1 at once |");
            System.out.println("|---|---|---|---|---|");
            try (ThrottledRegistry loopback = new ThrottledRegistry(tree.root(), 0, 0);
                 ThrottledRegistry remote = new ThrottledRegistry(tree.root(), latencyMs, mbPerSecond)) {
                for (ThrottledRegistry registry : List.of(loopback, remote)) {
                    double baseline = 0;
                    for (int parallel : List.of(1, PackageProvisioner.DEFAULT_PARALLEL_DOWNLOADS)) {
                        double ms = medianInstallMs(work, registry.uri(), needed, parallel);
                        if (parallel == 1) {
                            baseline = ms;
                        }
                        System.out.printf("| %s | %d | %.0f ms | %.0f | %.2f× |%n", registry.describe(), parallel, ms,
                                packages * size / 1e6 / (ms / 1000), baseline / ms);
                    }
                }
            }
            System.out.println();
            lockCheck(work, packageFile);
        } finally {
            deleteTree(work);
        }
    }

    private static double medianInstallMs(Path work, URI registry, List<PackageVersion> needed, int parallel) throws IOException {
        List<Double> times = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) { // round 0 warms the JIT and the page cache
            Path plugins = work.resolve("plugins-" + parallel + "-" + round);
            PackageProvisioner provisioner = new PackageProvisioner(new PackageLayout(plugins),
                    Optional.of(new HttpPackageSource(registry, DownloaderOptions.defaults(), null)), parallel);
            long start = System.nanoTime();
            PackageProvisioner.Provisioning result = provisioner.ensureInstalled(needed);
            double ms = (System.nanoTime() - start) / 1e6;
            if (!result.failures().isEmpty()) {
                throw new IllegalStateException("install failed: " + result.failures());
            }
            if (round > 0) {
                times.add(ms);
            }
            deleteTree(plugins);
        }
        times.sort(Comparator.naturalOrder());
        return times.get(times.size() / 2);
    }

    /** The check before every launch: hash the installed file and compare with plugins.lock. */
    private static void lockCheck(Path work, Path packageFile) throws Exception {
        Path plugins = work.resolve("plugins-lock");
        PackageRef ref = new PackageRef("pkg0", "1.0.0");
        try (ThrottledRegistry registry = new ThrottledRegistry(work.resolve("registry"), 0, 0)) {
            new PackageProvisioner(new PackageLayout(plugins),
                    Optional.of(new HttpPackageSource(registry.uri(), DownloaderOptions.defaults(), null)))
                    .ensureInstalled(List.of(new PackageVersion("pkg0", "1.0.0")));
        }
        LockFile lock = new LockFile(plugins);
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            long start = System.nanoTime();
            lock.requireVerified(ref);
            if (i >= 5) {
                times.add((System.nanoTime() - start) / 1e6);
            }
        }
        times.sort(Comparator.naturalOrder());
        System.out.printf("## plugins.lock check before a launch%n%n| file | median | p90 |%n|---|---|---|%n| %.1f MB | %.1f ms | %.1f ms |%n",
                Files.size(packageFile) / 1e6, times.get(times.size() / 2), times.get(times.size() * 9 / 10));
    }

    /** Serves a registry tree with a first-byte delay and a per-connection bandwidth cap (0 = none). */
    private static final class ThrottledRegistry implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor = Executors.newCachedThreadPool();
        private final Path root;
        private final int latencyMs;
        private final int mbPerSecond;

        ThrottledRegistry(Path root, int latencyMs, int mbPerSecond) throws IOException {
            this.root = root;
            this.latencyMs = latencyMs;
            this.mbPerSecond = mbPerSecond;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        }

        String describe() {
            return latencyMs == 0 && mbPerSecond == 0 ? "loopback"
                    : "remote-like (" + latencyMs + " ms first byte, " + mbPerSecond + " MB/s per connection)";
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
                pause(latencyMs);
                if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, Files.size(file));
                try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
                    byte[] chunk = new byte[64 * 1024];
                    long started = System.nanoTime();
                    long sent = 0;
                    for (int n; (n = in.read(chunk)) >= 0; ) {
                        out.write(chunk, 0, n);
                        sent += n;
                        if (mbPerSecond > 0) { // emulated bandwidth: wait until this many bytes are "due"
                            long dueNanos = (long) (sent / (mbPerSecond * 1e6) * 1e9);
                            long ahead = dueNanos - (System.nanoTime() - started);
                            pause(ahead / 1_000_000);
                        }
                    }
                }
            }
        }

        private static void pause(long ms) {
            if (ms <= 0) {
                return;
            }
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
