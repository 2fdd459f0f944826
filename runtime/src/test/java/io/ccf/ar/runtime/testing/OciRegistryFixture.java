package io.ccf.ar.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real OCI distribution registry (Debian's {@code docker-registry}, CNCF distribution 2.8; .ci/run
 * installs it) on a free loopback port, storing blobs under a temp directory so tests can corrupt them
 * on disk. Anonymous access, plain HTTP, deletes enabled.
 */
public final class OciRegistryFixture implements AutoCloseable {
    private static final Path REGISTRY = Path.of("/usr/bin/docker-registry");
    private static final Duration READY_DEADLINE = Duration.ofSeconds(30);

    private final Path storage;
    private final Path logFile;
    private final int port;
    private final Process process;

    private OciRegistryFixture(Path storage, Path logFile, int port, Process process) {
        this.storage = storage;
        this.logFile = logFile;
        this.port = port;
        this.process = process;
    }

    /** Starts a registry with its storage and config under {@code dir} and waits until {@code GET /v2/} answers. */
    public static OciRegistryFixture start(Path dir) {
        return start(dir, "");
    }

    /**
     * A registry that wants a user name and password ({@code auth: htpasswd}, bcrypt entries made by Apache's
     * {@code htpasswd -B}: apache2-utils, installed by .ci/run): every request without them is a 401 with a Basic
     * challenge.
     */
    public static OciRegistryFixture startWithHtpasswd(Path dir, String user, String password) {
        Path htpasswd = dir.resolve("htpasswd");
        try {
            Process p = new ProcessBuilder("htpasswd", "-B", "-b", "-c", htpasswd.toString(), user, password)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("htpasswd failed (apt-get install -y apache2-utils): " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("htpasswd not found: apt-get install -y apache2-utils (see .ci/run)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return start(dir, """
                auth:
                  htpasswd:
                    realm: ar-test
                    path: %s
                """.formatted(htpasswd));
    }

    /** A registry with {@code auth: token}: Bearer tokens from the given token server. */
    public static OciRegistryFixture startWithTokenAuth(Path dir, OciTokenServer tokens) {
        return start(dir, tokens.registryAuthSection());
    }

    private static OciRegistryFixture start(Path dir, String authSection) {
        if (!Files.isExecutable(REGISTRY)) {
            throw new IllegalStateException(REGISTRY + " not found: install the OCI registry with"
                    + " `apt-get install -y docker-registry` (see .ci/run)");
        }
        int port = freePort();
        try {
            Path storage = Files.createDirectories(dir.resolve("registry-storage"));
            Path config = Files.writeString(dir.resolve("registry.yml"), """
                    version: 0.1
                    log:
                      level: warn
                      accesslog:
                        disabled: true
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                    """.formatted(storage, port) + authSection);
            Path logFile = dir.resolve("registry.log");
            Process process = new ProcessBuilder(REGISTRY.toString(), "serve", config.toString())
                    .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            OciRegistryFixture fixture = new OciRegistryFixture(storage, logFile, port, process);
            fixture.awaitReady();
            return fixture;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(httpBase() + "/v2/")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ": " + logTail());
            }
            try {
                int status = client.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) { // 401: it answers, and wants credentials
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            pause();
        }
        close();
        throw new IllegalStateException("docker-registry did not answer GET /v2/ on port " + port + " within "
                + READY_DEADLINE + ": " + logTail());
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(50); // polling interval, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code oci://127.0.0.1:<port>/<repo>}: loopback, so the runtime talks plain HTTP to it. */
    public URI location(String repo) {
        return URI.create("oci://127.0.0.1:" + port + "/" + repo);
    }

    public String httpBase() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Where the registry keeps a blob: {@code <root>/docker/registry/v2/blobs/sha256/<2 hex>/<hex>/data}. */
    public Path blobFile(String digest) {
        String hex = digest.substring("sha256:".length());
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
    }

    public String logTail() {
        try {
            var lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A loopback port nobody listens on (for "registry down" tests). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
