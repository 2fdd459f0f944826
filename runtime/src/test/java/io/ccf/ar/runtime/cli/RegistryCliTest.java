package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;

/** Packages fetched from a real static HTTP registry by `ar install` and by `ar run-once`. */
class RegistryCliTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private HttpServer registry;

    @BeforeEach
    void serveRegistry() throws Exception {
        Path root = Files.createDirectories(dir.resolve("registry/sample/2.0.0"));
        byte[] jar = Files.readAllBytes(TestPackages.sampleJar());
        Files.write(root.resolve("sample.jar"), jar);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jar));
        Files.writeString(root.resolve("sample.jar.sha256"), sha + "  sample.jar\n");
        registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/", exchange -> {
            Path file = dir.resolve("registry").resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(dir.resolve("registry")) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, Files.size(file));
                try (OutputStream out = exchange.getResponseBody()) {
                    Files.copy(file, out);
                }
            }
            exchange.close();
        });
        registry.start();
        Files.writeString(dir.resolve("config.yml"), "runtimeId: reg\npluginRegistryURL: http://127.0.0.1:"
                + registry.getAddress().getPort() + "/\nplugins:\n  - name: busy\n    package: sample\n"
                + "    version: 2.0.0\n    schedule: \"@hourly\"\n");
    }

    @AfterEach
    void stop() {
        registry.stop(0);
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
}
