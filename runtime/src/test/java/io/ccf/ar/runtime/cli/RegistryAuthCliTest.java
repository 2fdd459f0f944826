package io.ccf.ar.runtime.cli;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.OciRegistryFixture;
import io.ccf.ar.runtime.testing.TestRegistryServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registry credentials and signed indexes through `ar` processes, against docker-registry (htpasswd) and HTTP. */
class RegistryAuthCliTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String output(CliProcess ar) {
        List<String> all = new ArrayList<>(ar.stdout());
        all.addAll(ar.stderr());
        return String.join("\n", all);
    }

    @Test
    void publishAndInstallWithCredentialsFromTheRegistrySectionNeverPrintingThem() throws Exception {
        String password = "cli-Secret-" + System.nanoTime();
        try (OciRegistryFixture registry = OciRegistryFixture.startWithHtpasswd(
                Files.createDirectories(dir.resolve("oci")), "publisher", password)) {
            String repo = registry.location("ccf-plugins").toString();
            Files.writeString(dir.resolve("password.txt"), password + "\n");
            List<String> outputs = new ArrayList<>();
            try (CliProcess ar = CliProcess.start(dir, "publish", "sample@1.0.0", TestPackages.sampleJar().toString(),
                    "--to", repo)) {
                assertEquals(1, ar.waitFor(TIMEOUT), "anonymous push refused");
                assertTrue(output(ar).contains("registry.username + registry.passwordFile"), output(ar));
                outputs.add(output(ar));
            }
            try (CliProcess ar = CliProcess.start(dir, "publish", "sample@1.0.0", TestPackages.sampleJar().toString(),
                    "--to", repo, "--username", "publisher", "--password-file", "password.txt")) {
                assertEquals(0, ar.waitFor(TIMEOUT), output(ar));
                outputs.add(output(ar));
            }
            Files.writeString(dir.resolve("config.yml"), "runtimeId: auth\npluginRegistryURL: " + repo
                    + "\nregistry:\n  username: publisher\n  passwordFile: password.txt\n"
                    + "plugins:\n  - name: busy\n    package: sample\n    version: \"^1.0\"\n    schedule: \"@hourly\"\n");
            try (CliProcess ar = CliProcess.start(dir, "run-once", "--config", "config.yml")) {
                assertEquals(0, ar.waitFor(TIMEOUT), output(ar));
                assertTrue(output(ar).contains("1.0.0"), output(ar));
                outputs.add(output(ar));
            }
            Files.writeString(dir.resolve("wrong.txt"), "wrong-" + password + "\n");
            try (CliProcess ar = CliProcess.start(dir, "install", "sample@2.0.0", "--config", "config.yml",
                    "--username", "publisher", "--password-file", "wrong.txt")) {
                assertEquals(1, ar.waitFor(TIMEOUT), output(ar));
                assertTrue(output(ar).contains("refused the credentials from registry.username/registry.passwordFile"), output(ar));
                outputs.add(output(ar));
            }
            for (String out : outputs) {
                assertFalse(out.contains(password), "a password in the output: " + out);
                assertFalse(out.contains(java.util.Base64.getEncoder().encodeToString(("publisher:" + password).getBytes())));
            }
        }
    }

    @Test
    void keygenPublishSignedAndInstallWithATrustedKey() throws Exception {
        try (CliProcess ar = CliProcess.start(dir, "keygen", "--out", "keys")) {
            assertEquals(0, ar.waitFor(TIMEOUT), output(ar));
        }
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("keys/registry-signing.key"))));
        try (CliProcess ar = CliProcess.start(dir, "publish", "sample@1.0.0", TestPackages.sampleJar().toString(),
                "--to", "tree", "--sign-key", "keys/registry-signing.key")) {
            assertEquals(0, ar.waitFor(TIMEOUT), output(ar));
            assertTrue(output(ar).contains("sample/index.json.sig"), output(ar));
        }
        try (TestRegistryServer server = new TestRegistryServer(dir.resolve("tree"))) {
            Files.writeString(dir.resolve("config.yml"), "runtimeId: signed\npluginRegistryURL: " + server.uri()
                    + "\nregistry:\n  trustedKeys: [keys/registry-signing.pub]\n");
            // a server that swaps the jar and its sidecar is caught by the signed index
            Path jar = dir.resolve("tree/sample/1.0.0/sample.jar");
            byte[] original = Files.readAllBytes(jar);
            Files.writeString(jar, "swapped");
            Files.writeString(dir.resolve("tree/sample/1.0.0/sample.jar.sha256"),
                    TestRegistryServer.sha256Hex("swapped".getBytes()) + "  sample.jar\n");
            try (CliProcess ar = CliProcess.start(dir, "install", "sample@1.0.0", "--config", "config.yml")) {
                assertEquals(1, ar.waitFor(TIMEOUT), output(ar));
                assertTrue(output(ar).contains("checksum mismatch with the signed index"), output(ar));
            }
            Files.write(jar, original);
            try (CliProcess ar = CliProcess.start(dir, "install", "sample@^1", "--config", "config.yml")) {
                assertEquals(0, ar.waitFor(TIMEOUT), output(ar));
                assertTrue(output(ar).contains("installed sample@1.0.0"), output(ar));
            }
        }
    }
}
