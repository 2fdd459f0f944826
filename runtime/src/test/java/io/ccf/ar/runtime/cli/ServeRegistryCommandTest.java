package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.registry.StaticRegistryTree;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.Processes;

/** {@code ar publish} and {@code ar serve-registry} as real processes, with real HTTP and a real {@code ar install}. */
class ServeRegistryCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern SERVING = Pattern.compile("serving (.+) at http://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void publishServeAndInstallEndToEnd() throws Exception {
        try (CliProcess publish = CliProcess.start(dir, "publish", "sample@1.0.0",
                TestPackages.sampleJar().toString(), "--to", "registry")) {
            assertEquals(0, publish.waitFor(TIMEOUT), String.join("\n", publish.stderr()));
            String line = publish.stdout().get(0);
            assertTrue(line.startsWith("published sample@1.0.0 as sample/1.0.0/sample.jar (sha256 "), line);
        }
        Path other = Files.writeString(dir.resolve("other.jar"), "not the same jar");
        try (CliProcess again = CliProcess.start(dir, "publish", "sample@1.0.0", other.toString(), "--to", "registry")) {
            assertEquals(1, again.waitFor(TIMEOUT));
            assertTrue(String.join("\n", again.stderr()).contains("already published"), again.stderr().toString());
        }
        try (CliProcess web = CliProcess.start(dir, "publish", "sample@1.0.0", other.toString(), "--to", "http://localhost/x")) {
            assertEquals(2, web.waitFor(TIMEOUT));
            assertTrue(String.join("\n", web.stderr()).contains("expected a directory"), web.stderr().toString());
        }

        try (CliProcess server = CliProcess.start(dir, "serve-registry", "registry", "--port", "0")) {
            int port = servingPort(server);
            Files.writeString(dir.resolve("config.yml"), "runtimeId: installer\n");
            try (CliProcess install = CliProcess.start(dir, "install", "sample@1.0.0", "--config", "config.yml",
                    "--registry", "http://127.0.0.1:" + port + "/")) {
                assertEquals(0, install.waitFor(TIMEOUT), String.join("\n", install.stderr()));
                assertTrue(install.stdout().get(0).startsWith("installed sample@1.0.0"), install.stdout().toString());
            }
            Path installed = dir.resolve("plugins/sample/1.0.0/sample.jar");
            assertEquals(-1, Files.mismatch(TestPackages.sampleJar(), installed));
            String sha256 = new StaticRegistryTree(dir.resolve("registry")).index("sample").orElseThrow()
                    .version("1.0.0").orElseThrow().sha256();
            String lock = Files.readString(dir.resolve("plugins/plugins.lock"));
            assertTrue(lock.contains(sha256), lock);
            assertTrue(lock.contains("http://127.0.0.1:" + port + "/sample/1.0.0/sample.jar"), lock);
            String served = server.awaitLog("path=\"/sample/1.0.0/sample.jar\"", TIMEOUT);
            assertTrue(served.contains("status=\"200\"") && served.contains("method=\"GET\""), served);

            assertEquals(0, terminate(server), String.join("\n", server.stderr()));
            assertTrue(String.join("\n", server.stderr()).contains("registry server stopped"));
        }
    }

    @Test
    void servesFilesReadOnlyAndNothingOutsideTheTree() throws Exception {
        Path registry = dir.resolve("registry");
        StaticRegistryTree tree = new StaticRegistryTree(registry);
        StaticRegistryTree.Published jar = tree.publish("sample", "1.0.0", TestPackages.sampleJar());
        Files.writeString(dir.resolve("secret.txt"), "outside the registry\n");
        Files.createSymbolicLink(registry.resolve("leak"), Path.of("../secret.txt"));
        Files.createSymbolicLink(registry.resolve("outside"), dir);
        Files.createSymbolicLink(registry.resolve("alias.json"), Path.of("sample/index.json"));

        try (CliProcess server = CliProcess.start(dir, "serve-registry", "registry", "--port", "0")) {
            int port = servingPort(server);
            URI base = URI.create("http://127.0.0.1:" + port + "/");

            HttpResponse<byte[]> index = send("GET", base.resolve("sample/index.json"));
            assertEquals(200, index.statusCode());
            assertEquals("application/json", index.headers().firstValue("Content-Type").orElse(""));
            assertEquals(Files.size(registry.resolve("sample/index.json")), index.headers().firstValueAsLong("Content-Length").orElse(-1));
            assertEquals(Files.readString(registry.resolve("sample/index.json")), new String(index.body(), StandardCharsets.UTF_8));

            HttpResponse<byte[]> sum = send("GET", base.resolve("sample/1.0.0/sample.jar.sha256"));
            assertEquals(200, sum.statusCode());
            assertTrue(sum.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertEquals(jar.sha256() + "  sample.jar\n", new String(sum.body(), StandardCharsets.UTF_8));

            HttpResponse<byte[]> head = send("HEAD", base.resolve("sample/1.0.0/sample.jar"));
            assertEquals(200, head.statusCode());
            assertEquals(jar.size(), head.headers().firstValueAsLong("Content-Length").orElse(-1));
            assertEquals("application/octet-stream", head.headers().firstValue("Content-Type").orElse(""));
            assertEquals(0, head.body().length);

            HttpResponse<byte[]> post = send("POST", base.resolve("sample/index.json"));
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
            assertEquals(405, send("PUT", base.resolve("sample/1.0.0/sample.jar")).statusCode());
            assertEquals(405, send("DELETE", base.resolve("sample/1.0.0/sample.jar")).statusCode());

            assertEquals(200, send("GET", base.resolve("alias.json")).statusCode(), "a symlink inside the tree is served");
            for (String path : List.of("/../etc/passwd", "/../../../../etc/passwd", "/sample/../../secret.txt",
                    "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/etc/passwd", "/sample/%2e%2e/%2e%2e/secret.txt",
                    "/..%2fsecret.txt", "/sample%2f..%2f..%2fsecret.txt", "/%2fetc%2fpasswd",
                    "/leak", "/outside/secret.txt", "/sample/.publish.lock", "/sample", "/sample/", "/",
                    "/sample/1.0.0/missing.jar", "/sample/1.0.0/sample.jar%00")) {
                assertEquals(404, rawStatus(port, "GET", path), path);
            }
            // request targets the JDK's HTTP layer itself rejects as malformed (400) before they reach the tree
            for (String path : List.of("//etc/passwd", "/%zz", "/sample/%2")) {
                int status = rawStatus(port, "GET", path);
                assertTrue(status == 400 || status == 404, path + " answered " + status);
            }
            assertEquals(404, send("GET", base.resolve("leak")).statusCode());
            assertEquals(404, send("HEAD", base.resolve("outside/secret.txt")).statusCode());

            String logged = server.awaitLog("path=\"/outside/secret.txt\"", TIMEOUT);
            assertTrue(logged.contains("status=\"404\"") && logged.contains("ms="), logged);

            assertEquals(0, terminate(server), String.join("\n", server.stderr()));
        }
    }

    @Test
    void aClientThatStopsReadingDoesNotBlockOthers() throws Exception {
        Path registry = dir.resolve("registry");
        new StaticRegistryTree(registry).publish("sample", "1.0.0", TestPackages.sampleJar());
        try (CliProcess server = CliProcess.start(dir, "serve-registry", "registry", "--port", "0")) {
            int port = servingPort(server);
            List<Socket> stalled = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    // asks for the whole jar (megabytes) and never reads it: the server's write blocks
                    Socket s = new Socket("127.0.0.1", port);
                    s.setReceiveBufferSize(4096);
                    s.getOutputStream().write(("GET /sample/1.0.0/sample.jar HTTP/1.1\r\nHost: x\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    stalled.add(s);
                }
                Socket halfRequest = new Socket("127.0.0.1", port);
                halfRequest.getOutputStream().write("GET /sample/index.json HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
                stalled.add(halfRequest);

                HttpResponse<byte[]> index = send("GET", URI.create("http://127.0.0.1:" + port + "/sample/index.json"));
                assertEquals(200, index.statusCode());
                // SIGTERM while the stalled connections are still open: the server still stops, exit 0
                assertEquals(0, terminate(server), String.join("\n", server.stderr()));
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    @Test
    void badArgumentsAreRefusedWithExitCode2() throws Exception {
        try (CliProcess missing = CliProcess.start(dir, "serve-registry", "no-such-dir", "--port", "0")) {
            assertEquals(2, missing.waitFor(TIMEOUT));
            assertTrue(String.join("\n", missing.stderr()).contains("not a directory"), missing.stderr().toString());
        }
        try (CliProcess badPort = CliProcess.start(dir, "serve-registry", ".", "--port", "70000")) {
            assertEquals(2, badPort.waitFor(TIMEOUT));
            assertTrue(String.join("\n", badPort.stderr()).contains("--port 70000"), badPort.stderr().toString());
        }
    }

    /** Reads the port from the server's first stdout line, waiting for it with a deadline. */
    private static int servingPort(CliProcess server) throws InterruptedException {
        boolean started = Processes.eventually(TIMEOUT, () -> !server.stdout().isEmpty() || !server.process().isAlive());
        assertTrue(started && !server.stdout().isEmpty(), "serve-registry printed nothing; stderr:\n"
                + String.join("\n", server.stderr()));
        Matcher m = SERVING.matcher(server.stdout().get(0));
        assertTrue(m.matches(), server.stdout().get(0));
        return Integer.parseInt(m.group(2));
    }

    /** SIGTERM through the handle (Process.destroy() would also close our end of its pipes); returns the exit code. */
    private static int terminate(CliProcess server) throws InterruptedException {
        server.process().toHandle().destroy();
        return server.waitFor(TIMEOUT);
    }

    private HttpResponse<byte[]> send(String method, URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The status of a request sent byte for byte, so no client library normalises the path first. */
    private static int rawStatus(int port, String method, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            String statusLine = response.lines().findFirst().orElse("");
            String[] parts = statusLine.split(" ");
            if (parts.length < 2) {
                throw new AssertionError("no HTTP status line for " + path + ": \"" + statusLine + "\"");
            }
            return Integer.parseInt(parts[1]);
        }
    }

    @Test
    void reindexDescribesATreeLaidOutByHand() throws Exception {
        byte[] jar = Files.readAllBytes(TestPackages.sampleJar());
        for (String v : List.of("1.0.0", "1.2.0")) {
            Files.write(Files.createDirectories(dir.resolve("tree/sample").resolve(v)).resolve("sample.jar"), jar);
        }
        Files.writeString(Files.createDirectories(dir.resolve("tree/tool/0.1.0")).resolve("tool"), "#!/bin/sh\n");
        try (CliProcess ar = CliProcess.start(dir, "reindex", "tree")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertEquals(List.of("sample: 2 version(s) [1.0.0, 1.2.0]", "tool: 1 version(s) [0.1.0]"), ar.stdout());
        }
        assertTrue(Files.readString(dir.resolve("tree/sample/index.json")).contains("\"1.2.0\""));
        assertTrue(Files.isRegularFile(dir.resolve("tree/sample/1.2.0/sample.jar.sha256")), "missing checksums are written");
        Files.writeString(dir.resolve("tree/tool/0.1.0/tool"), "#!/bin/sh\necho changed\n");
        try (CliProcess ar = CliProcess.start(dir, "reindex", "tree", "tool")) {
            assertEquals(1, ar.waitFor(TIMEOUT), "a file that no longer matches its .sha256 is refused");
            assertTrue(String.join("\n", ar.stderr()).contains("tool.sha256 records"), ar.stderr().toString());
        }
        try (CliProcess ar = CliProcess.start(dir, "reindex", "nowhere")) {
            assertEquals(2, ar.waitFor(TIMEOUT));
        }
    }
}
