package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.OciRegistryFixture;

/** The runtime against a real OCI registry (Debian's docker-registry), all through `ar` processes. */
class OciRegistryCliTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern DIGEST = Pattern.compile("digest (sha256:[0-9a-f]{64})");

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

    private String publish(String target) throws Exception {
        try (CliProcess ar = CliProcess.start(dir, "publish", target, TestPackages.sampleJar().toString(), "--to", repo)) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            Matcher m = DIGEST.matcher(String.join("\n", ar.stdout()));
            assertTrue(m.find(), "prints the digest: " + ar.stdout());
            return m.group(1);
        }
    }

    private void config(String version) throws Exception {
        Files.writeString(dir.resolve("config.yml"), "runtimeId: oci\npluginRegistryURL: " + repo
                + "\nplugins:\n  - name: busy\n    package: sample\n    version: \"" + version + "\"\n    schedule: \"@hourly\"\n");
    }

    @Test
    void publishedVersionsAreResolvedFromTagsInstalledAndRun() throws Exception {
        publish("sample@1.0.0");
        publish("sample@1.1.0");
        publish("sample@2.0.0");
        config("^1.0");
        try (CliProcess ar = CliProcess.start(dir, "run-once", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertEquals(3, ar.stdout().size(), ar.stdout().toString());
            for (String line : ar.stdout()) {
                assertEquals("1.1.0", new ObjectMapper().readTree(line).path("version").asText(), line);
            }
        }
        assertTrue(Files.isRegularFile(dir.resolve("plugins/sample/1.1.0/sample.jar")));
        JsonNode lock = new ObjectMapper().readTree(dir.resolve("plugins/plugins.lock").toFile());
        JsonNode entry = lock.path("sample").path("1.1.0");
        assertTrue(entry.path("digest").asText().startsWith("sha256:"), lock.toString());
        assertTrue(entry.path("source").asText().startsWith(repo + "/sample:1.1.0"), lock.toString());
        try (CliProcess ar = CliProcess.start(dir, "plugins", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stdout()));
            assertTrue(String.join("\n", ar.stdout()).contains("sample@1.1.0  jar sample.jar  verified"), ar.stdout().toString());
        }
    }

    @Test
    void aPinnedDigestPullsThatManifestAndAnotherDigestIsRefused() throws Exception {
        String digest = publish("sample@1.0.0");
        config("1.0.0");
        String wrong = "sha256:" + "0".repeat(64);
        try (CliProcess ar = CliProcess.start(dir, "install", "sample@1.0.0@" + wrong, "--config", "config.yml")) {
            assertEquals(1, ar.waitFor(TIMEOUT));
            String err = String.join("\n", ar.stderr());
            assertTrue(err.contains("sample") && err.contains(wrong), err);
        }
        assertFalse(Files.exists(dir.resolve("plugins/sample/1.0.0")), "nothing installed");
        try (CliProcess ar = CliProcess.start(dir, "install", "sample@1.0.0@" + digest, "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertTrue(ar.stdout().get(0).startsWith("installed sample@1.0.0"), ar.stdout().toString());
        }
        // the tag is pushed again with other content: the pin keeps what was installed, and says so by not refetching
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.write(other.resolve("sample.jar"), new byte[] {'P', 'K', 3, 4});
        try (CliProcess ar = CliProcess.start(dir, "publish", "sample@1.0.0", other.toString(), "--to", repo)) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
        }
        try (CliProcess ar = CliProcess.start(dir, "install", "sample@1.0.0@" + digest, "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertTrue(ar.stdout().get(0).startsWith("already installed sample@1.0.0"), ar.stdout().toString());
        }
        assertEquals(Files.size(TestPackages.sampleJar()), Files.size(dir.resolve("plugins/sample/1.0.0/sample.jar")));
    }
}
