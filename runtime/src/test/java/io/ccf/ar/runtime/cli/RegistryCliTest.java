package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.registry.RegistryIndex;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.TestRegistryServer;

/** Packages fetched from a real static HTTP registry by `ar install` and by `ar run-once`. */
class RegistryCliTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private TestRegistryServer registry;

    @BeforeEach
    void serveRegistry() throws Exception {
        registry = new TestRegistryServer(Files.createDirectories(dir.resolve("registry")));
        registry.publish("sample", "2.0.0", "sample.jar", Files.readAllBytes(TestPackages.sampleJar()));
        Files.writeString(dir.resolve("config.yml"), "runtimeId: reg\npluginRegistryURL: " + registry.uri()
                + "\nplugins:\n  - name: busy\n    package: sample\n    version: 2.0.0\n    schedule: \"@hourly\"\n");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void installFetchesVerifiesAndRecordsAPackage() throws Exception {
        try (CliProcess ar = CliProcess.start(dir, "install", "sample@2.0.0", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertTrue(ar.stdout().get(0).startsWith("installed sample@2.0.0"), ar.stdout().toString());
        }
        assertTrue(Files.isRegularFile(dir.resolve("plugins/sample/2.0.0/sample.jar")));
        assertTrue(Files.readString(dir.resolve("plugins/plugins.lock")).contains("\"2.0.0\""));
        try (CliProcess again = CliProcess.start(dir, "install", "sample@2.0.0", "--config", "config.yml")) {
            assertEquals(0, again.waitFor(TIMEOUT));
            assertTrue(again.stdout().get(0).startsWith("already installed"), again.stdout().toString());
        }
        try (CliProcess missing = CliProcess.start(dir, "install", "nope@1.0", "--config", "config.yml")) {
            assertEquals(1, missing.waitFor(TIMEOUT));
            assertTrue(String.join("\n", missing.stderr()).contains("not found in registry"), missing.stderr().toString());
        }
    }

    @Test
    void aTamperedInstalledPackageIsRefusedAtLaunch() throws Exception {
        try (CliProcess ar = CliProcess.start(dir, "install", "sample@2.0.0", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
        }
        Files.write(dir.resolve("plugins/sample/2.0.0/sample.jar"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(dir.resolve("config.yml"), Files.readString(dir.resolve("config.yml"))
                .replace("pluginRegistryURL", "# pluginRegistryURL")); // no registry: nothing may repair it
        try (CliProcess ar = CliProcess.start(dir, "run-once", "--config", "config.yml")) {
            assertEquals(1, ar.waitFor(TIMEOUT));
            String error = ar.stdout().get(0);
            assertTrue(error.contains("refused before launch"), error);
            assertTrue(error.contains("plugins.lock") || error.contains("sha256") || error.contains("SHA-256"), error);
        }
    }

    @Test
    void runOnceInstallsAMissingPackageBeforeRunning() throws Exception {
        try (CliProcess ar = CliProcess.start(dir, "run-once", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertEquals(3, ar.stdout().size(), ar.stdout().toString());
            assertTrue(String.join("\n", ar.stderr()).contains("package installed from the registry"));
        }
    }

    /** Publishes the sample jar under more versions and an index.json listing all of them. */
    private void publishVersionsWithIndex(String... versions) throws Exception {
        byte[] jar = Files.readAllBytes(TestPackages.sampleJar());
        RegistryIndex index = new RegistryIndex("sample", List.of());
        for (String v : versions) {
            registry.publish("sample", v, "sample.jar", jar);
            index = index.with(new RegistryIndex.Version(v, "sample.jar", TestRegistryServer.sha256Hex(jar), (long) jar.length, null));
        }
        Files.write(dir.resolve("registry/sample/index.json"), index.toJson());
    }

    @Test
    void runOnceResolvesARangeThroughTheIndexAndReportsTheVersionThatRan() throws Exception {
        publishVersionsWithIndex("1.9.0", "2.0.0", "2.3.1", "3.0.0");
        Files.writeString(dir.resolve("config.yml"), Files.readString(dir.resolve("config.yml"))
                .replace("version: 2.0.0", "version: \"^2.0\""));
        try (CliProcess ar = CliProcess.start(dir, "run-once", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertEquals(3, ar.stdout().size(), ar.stdout().toString());
            for (String line : ar.stdout()) {
                JsonNode result = new ObjectMapper().readTree(line);
                assertEquals("2.3.1", result.path("version").asText(), line);
            }
        }
        assertTrue(Files.isRegularFile(dir.resolve("plugins/sample/2.3.1/sample.jar")));
        assertTrue(!Files.exists(dir.resolve("plugins/sample/3.0.0")), "3.0.0 is outside ^2.0");

        try (CliProcess ar = CliProcess.start(dir, "install", "sample@~1.9", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertTrue(ar.stdout().get(0).startsWith("installed sample@1.9.0"), ar.stdout().toString());
        }
        try (CliProcess ar = CliProcess.start(dir, "install", "sample@^7", "--config", "config.yml")) {
            assertEquals(1, ar.waitFor(TIMEOUT));
            String err = String.join("\n", ar.stderr());
            assertTrue(err.contains("no version of package sample matches \"^7\"") && err.contains("3.0.0"), err);
        }
    }

    @Test
    void aPinnedVersionWithOtherContentIsRefused() throws Exception {
        String wrong = "sha256:" + "ab".repeat(32);
        try (CliProcess ar = CliProcess.start(dir, "install", "sample@2.0.0@" + wrong, "--config", "config.yml")) {
            assertEquals(1, ar.waitFor(TIMEOUT));
            String err = String.join("\n", ar.stderr());
            assertTrue(err.contains("content differs from the pinned digest") && err.contains(wrong), err);
        }
        assertTrue(!Files.exists(dir.resolve("plugins/sample/2.0.0")), "nothing installed");
        String good = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(TestPackages.sampleJar())));
        try (CliProcess ar = CliProcess.start(dir, "install", "sample@2.0.0@" + good, "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
        }
    }

    @Test
    void installsFromSeveralProcessesAtOnceDownloadOnceAndKeepEveryLockEntry() throws Exception {
        publishVersionsWithIndex("2.1.0", "2.2.0");
        List<CliProcess> processes = new ArrayList<>();
        try {
            for (String target : List.of("sample@2.0.0", "sample@2.0.0", "sample@2.0.0", "sample@2.1.0", "sample@2.2.0")) {
                processes.add(CliProcess.start(dir, "install", target, "--config", "config.yml"));
            }
            for (CliProcess p : processes) {
                assertEquals(0, p.waitFor(TIMEOUT), String.join("\n", p.stderr()));
            }
        } finally {
            processes.forEach(CliProcess::close);
        }
        assertEquals(1, registry.hits("/sample/2.0.0/sample.jar"), "one download of 2.0.0 for three processes");
        String lock = Files.readString(dir.resolve("plugins/plugins.lock"));
        for (String v : List.of("\"2.0.0\"", "\"2.1.0\"", "\"2.2.0\"")) {
            assertTrue(lock.contains(v), v + " recorded in " + lock);
        }
        try (var entries = Files.list(dir.resolve("plugins"))) {
            assertEquals(List.of(), entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".staging")).toList());
        }
    }

    @Test
    void namesThatCouldEscapeThePluginsDirectoryAreRefusedBeforeAnyRequest() throws Exception {
        for (String target : List.of("../evil@1.0.0", "sample@../../bin", "a/b@1.0", "sample@1.0/..", "sample@")) {
            try (CliProcess ar = CliProcess.start(dir, "install", target, "--config", "config.yml")) {
                assertEquals(2, ar.waitFor(TIMEOUT), target + ": " + ar.stderr());
                String err = String.join("\n", ar.stderr());
                assertTrue(err.contains("not a plain") || err.contains("neither a plain version")
                        || err.contains("expected PACKAGE@VERSION"), target + ": " + err);
            }
        }
        assertEquals(0, registry.total.get(), "no request reached the registry");
        assertTrue(!Files.exists(dir.resolve("plugins")) || Files.list(dir.resolve("plugins"))
                .noneMatch(p -> !p.getFileName().toString().startsWith(".")), "nothing installed");
    }

    @Test
    void uninstallRemovesTheVersionAndItsLockEntry() throws Exception {
        try (CliProcess ar = CliProcess.start(dir, "install", "sample@2.0.0", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
        }
        try (CliProcess ar = CliProcess.start(dir, "uninstall", "sample@2.0.0", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertTrue(ar.stdout().get(0).startsWith("removed sample@2.0.0"), ar.stdout().toString());
        }
        assertTrue(!Files.exists(dir.resolve("plugins/sample/2.0.0")));
        assertTrue(!Files.readString(dir.resolve("plugins/plugins.lock")).contains("2.0.0"));
        try (CliProcess ar = CliProcess.start(dir, "uninstall", "sample@2.0.0", "--config", "config.yml")) {
            assertEquals(1, ar.waitFor(TIMEOUT));
            assertTrue(String.join("\n", ar.stderr()).contains("is not installed"), ar.stderr().toString());
        }
    }
}
