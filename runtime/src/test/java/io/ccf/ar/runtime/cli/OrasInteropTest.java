package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.plugin.GoInterop;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.OciRegistryFixture;

/**
 * Interop with ORAS itself: interop/go/oras (orastool) pushes and pulls a directory with oras-go 1.1.1 exactly
 * as the oras 0.x CLI did ({@code oras push REF ./1.0.0/}, {@code oras pull REF -o OUT}), against Debian's
 * docker-registry, and `ar` runs as a real process on the other end of each direction.
 */
class OrasInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern AR_DIGEST = Pattern.compile("digest (sha256:[0-9a-f]{64})");
    private static final Pattern ORAS_DIGEST = Pattern.compile("^digest: (sha256:[0-9a-f]{64})$", Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private OciRegistryFixture registry;
    private String repo;

    @BeforeEach
    void start() throws Exception {
        registry = OciRegistryFixture.start(Files.createDirectories(dir.resolve("oci")));
        repo = registry.location("ccf-plugins").toString();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void aDirectoryPushedByOrasGoIsInstalledAndRunByAr() throws Exception {
        Path work = Files.createDirectories(dir.resolve("push"));
        Path versionDir = Files.createDirectories(work.resolve("1.0.0"));
        Files.copy(TestPackages.sampleJar(), versionDir.resolve("sample.jar"));

        // as the README says: oras push host/repo/sample:1.0.0 ./1.0.0/ (from the directory holding 1.0.0/)
        Orastool push = orastool(work, "push", reference("sample", "1.0.0"), "./1.0.0/");
        assertEquals(0, push.exit, push.describe());
        Matcher pushed = ORAS_DIGEST.matcher(push.stdout);
        assertTrue(pushed.find(), "orastool prints the manifest digest: " + push.describe());
        String digest = pushed.group(1);

        // what oras-go put in the registry: its conventions, not ours (no top-level mediaType, unknown config type)
        JsonNode manifest = manifest("sample", "1.0.0");
        assertEquals(1, manifest.path("layers").size(), manifest.toString());
        JsonNode layer = manifest.path("layers").get(0);
        assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", layer.path("mediaType").asText(), manifest.toString());
        assertEquals("1.0.0", layer.path("annotations").path("org.opencontainers.image.title").asText(), manifest.toString());
        assertEquals("true", layer.path("annotations").path("io.deis.oras.content.unpack").asText(), manifest.toString());
        assertEquals("application/vnd.unknown.config.v1+json", manifest.path("config").path("mediaType").asText(),
                manifest.toString());

        Files.writeString(dir.resolve("config.yml"), "runtimeId: oras\npluginRegistryURL: " + repo
                + "\nplugins:\n  - name: busy\n    package: sample\n    version: \"1.0.0\"\n    schedule: \"@hourly\"\n");
        try (CliProcess ar = CliProcess.start(dir, "install", "sample@1.0.0", "--registry", repo, "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertTrue(ar.stdout().get(0).startsWith("installed sample@1.0.0"), ar.stdout().toString());
        }
        Path installed = dir.resolve("plugins/sample/1.0.0");
        assertEquals(-1, Files.mismatch(TestPackages.sampleJar(), installed.resolve("sample.jar")),
                "installed sample.jar has the pushed bytes");
        assertEquals(List.of("sample.jar"), names(installed), "the version directory holds what was pushed");
        JsonNode entry = JSON.readTree(dir.resolve("plugins/plugins.lock").toFile()).path("sample").path("1.0.0");
        assertEquals(digest, entry.path("digest").asText(), "the lock records the manifest digest oras printed: " + entry);
        assertEquals("sample.jar", entry.path("file").asText(), entry.toString());
        assertTrue(entry.path("source").asText().startsWith(repo + "/sample:1.0.0"), entry.toString());

        // and it runs: the sample plugin's three subjects, from the package oras pushed
        try (CliProcess ar = CliProcess.start(dir, "run-once", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertEquals(3, ar.stdout().size(), ar.stdout().toString());
            for (String line : ar.stdout()) {
                assertEquals("1.0.0", JSON.readTree(line).path("version").asText(), line);
            }
        }
    }

    @Test
    void aPackagePublishedByArIsPulledAndUnpackedByOrasGo() throws Exception {
        String digest;
        try (CliProcess ar = CliProcess.start(dir, "publish", "sample@1.1.0", TestPackages.sampleJar().toString(),
                "--to", repo)) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            Matcher m = AR_DIGEST.matcher(String.join("\n", ar.stdout()));
            assertTrue(m.find(), "ar publish prints the digest: " + ar.stdout());
            digest = m.group(1);
        }

        Path out = dir.resolve("pulled");
        Orastool pull = orastool(dir, "pull", reference("sample", "1.1.0"), out.toString());
        assertEquals(0, pull.exit, pull.describe());
        assertTrue(pull.stdout.contains("layer: 1.1.0 application/vnd.oci.image.layer.v1.tar+gzip "), pull.describe());
        Matcher pulled = ORAS_DIGEST.matcher(pull.stdout);
        assertTrue(pulled.find() && pulled.group(1).equals(digest), "oras pulled the manifest ar published ("
                + digest + "): " + pull.describe());
        assertEquals(List.of("1.1.0"), names(out), "oras unpacks the layer under its title");
        assertEquals(List.of("sample.jar"), names(out.resolve("1.1.0")), "the version directory's files, nothing else");
        assertEquals(-1, Files.mismatch(TestPackages.sampleJar(), out.resolve("1.1.0/sample.jar")),
                "pulled sample.jar has the published bytes");
    }

    private String reference(String pkg, String tag) {
        return "127.0.0.1:" + registry.port() + "/ccf-plugins/" + pkg + ":" + tag;
    }

    private JsonNode manifest(String pkg, String tag) throws IOException, InterruptedException {
        HttpRequest get = HttpRequest.newBuilder(URI.create(registry.httpBase() + "/v2/ccf-plugins/" + pkg + "/manifests/" + tag))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").timeout(TIMEOUT).build();
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        return JSON.readTree(response.body());
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private record Orastool(List<String> command, int exit, String stdout, String stderr) {
        String describe() {
            return String.join(" ", command) + " exited " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** Runs orastool to completion in workDir, HOME pointed at the test directory (oras reads docker's auth config). */
    private Orastool orastool(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(GoInterop.orasTool().toString()));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(dir, "orastool", ".out");
        Path stderr = Files.createTempFile(dir, "orastool", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().put("HOME", dir.toString());
        builder.environment().remove("DOCKER_CONFIG");
        Process p = builder.start();
        if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not finish within " + TIMEOUT + ":\n"
                    + Files.readString(stderr));
        }
        return new Orastool(command, p.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }
}
