package io.ccf.ar.runtime.cli;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.registry.IndexSignature;
import io.ccf.ar.runtime.registry.RegistryIndex;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.TestRegistryServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rollback and freeze of a signed index through `ar` processes: `ar publish --sign-key [--expires-in]`, a real HTTP
 * registry, and `ar install` processes that share only the plugins directory (and its registry-state.json).
 */
class IndexRollbackCliTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String output(CliProcess ar) {
        List<String> all = new ArrayList<>(ar.stdout());
        all.addAll(ar.stderr());
        return String.join("\n", all);
    }

    private String run(int expectedExit, String... args) throws Exception {
        try (CliProcess ar = CliProcess.start(dir, args)) {
            int exit = ar.waitFor(TIMEOUT);
            assertEquals(expectedExit, exit, String.join(" ", args) + ":\n" + output(ar));
            return output(ar);
        }
    }

    private String publish(String version, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("publish", "sample@" + version, TestPackages.sampleJar().toString(),
                "--to", "tree", "--sign-key", "keys/registry-signing.key"));
        args.addAll(List.of(extra));
        return run(0, args.toArray(String[]::new));
    }

    private long serial() throws Exception {
        return RegistryIndex.parse(Files.readAllBytes(dir.resolve("tree/sample/index.json"))).serial();
    }

    /** The plugins directory but the empty lock files an install attempt leaves in .locks by design. */
    private Map<String, String> snapshot() throws Exception {
        Path plugins = dir.resolve("plugins");
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(plugins)) {
            for (Path p : walk.filter(Files::isRegularFile).filter(p -> !plugins.relativize(p).startsWith(".locks")).toList()) {
                files.put(plugins.relativize(p).toString(), TestRegistryServer.sha256Hex(Files.readAllBytes(p)));
            }
        }
        return files;
    }

    @Test
    void anOldSignedIndexServedAgainIsRefusedByInstallAndAnExpiredOneUntilReSigned() throws Exception {
        run(0, "keygen", "--out", "keys");
        publish("1.0.0", "--expires-in", "30d");
        publish("1.0.1", "--expires-in", "30d");
        long s1 = serial();
        byte[] oldIndex = Files.readAllBytes(dir.resolve("tree/sample/index.json"));
        byte[] oldSig = Files.readAllBytes(dir.resolve("tree/sample/index.json.sig"));
        Instant expires = RegistryIndex.parse(oldIndex).expires();
        assertTrue(expires.isAfter(Instant.now().plus(Duration.ofDays(29))), "expires " + expires);

        try (TestRegistryServer server = new TestRegistryServer(dir.resolve("tree"))) {
            Files.writeString(dir.resolve("config.yml"), "runtimeId: rollback\npluginRegistryURL: " + server.uri()
                    + "\npluginsDir: " + dir.resolve("plugins") + "\nregistry:\n  trustedKeys: [keys/registry-signing.pub]\n");
            assertTrue(run(0, "install", "sample@1.0.0", "--config", "config.yml").contains("installed sample@1.0.0"));

            publish("1.1.0", "--expires-in", "30d");
            long s2 = serial();
            assertTrue(s2 > s1, s1 + " then " + s2);
            assertTrue(run(0, "install", "sample@^1", "--config", "config.yml").contains("installed sample@1.1.0"));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("plugins/registry-state.json"))));
            assertTrue(Files.readString(dir.resolve("plugins/registry-state.json")).contains("\"sample\" : " + s2));

            // the registry serves the older, validly signed index again
            Files.write(dir.resolve("tree/sample/index.json"), oldIndex);
            Files.write(dir.resolve("tree/sample/index.json.sig"), oldSig);
            Map<String, String> before = snapshot();
            String refused = run(1, "install", "sample@1.0.1", "--config", "config.yml");
            assertTrue(refused.contains("package sample version 1.0.1"), refused);
            assertTrue(refused.contains("the signed index of sample has serial " + s1 + ", lower than serial " + s2), refused);
            assertTrue(refused.contains("the registry served an older index than this runtime has seen: rollback?"), refused);
            // a range keeps to what is installed (as when the registry is down), saying why: no downgrade
            String range = run(0, "install", "sample@^1", "--config", "config.yml");
            assertTrue(range.contains("already installed sample@1.1.0"), range);
            assertTrue(range.contains("rollback?"), range);
            assertEquals(before, snapshot(), "nothing installed, removed or recorded");

            // the publisher re-signs (a new, higher serial; without --expires-in no expiry): accepted, and the same
            // index read again by the next process (an equal serial) is fine
            publish("1.1.0");
            long s3 = serial();
            assertTrue(run(0, "install", "sample@1.0.1", "--config", "config.yml").contains("installed sample@1.0.1"));
            String again = run(0, "install", "sample@^1", "--config", "config.yml");
            assertTrue(again.contains("already installed sample@1.1.0") && !again.contains("refusing"), again);
            assertTrue(Files.readString(dir.resolve("plugins/registry-state.json")).contains("\"sample\" : " + s3));

            // an index signed with an expiry that has passed (a frozen registry) is refused though its serial is higher
            PrivateKey key = IndexSignature.readPrivateKey(dir.resolve("keys/registry-signing.key"));
            RegistryIndex current = RegistryIndex.parse(Files.readAllBytes(dir.resolve("tree/sample/index.json")));
            Instant past = Instant.parse("2026-01-01T00:00:00Z");
            byte[] expired = current.stamped(s3 + 1, past).toJson();
            Files.write(dir.resolve("tree/sample/index.json"), expired);
            Files.write(dir.resolve("tree/sample/index.json.sig"), IndexSignature.sign(expired, key, IndexSignature.publicKeyOf(key)));
            Files.delete(dir.resolve("plugins/sample/1.0.1/sample.jar"));
            before = snapshot();
            String stale = run(1, "install", "sample@1.0.1", "--config", "config.yml");
            assertTrue(stale.contains("expired at 2026-01-01T00:00:00Z"), stale);
            assertTrue(stale.contains("re-sign the index"), stale);
            assertEquals(before, snapshot(), "nothing installed, removed or recorded");

            // re-signing brings it back
            String reindexed = run(0, "reindex", "tree", "--sign-key", "keys/registry-signing.key", "--expires-in", "720h");
            assertTrue(reindexed.contains("signed, serial "), reindexed);
            assertTrue(run(0, "install", "sample@1.0.1", "--config", "config.yml").contains("installed sample@1.0.1"));
        }
        String unsigned = run(2, "publish", "sample@2.0.0", TestPackages.sampleJar().toString(), "--to", "tree",
                "--expires-in", "bogus");
        assertTrue(unsigned.contains("--expires-in \"bogus\""), unsigned);
        try (CliProcess ar = CliProcess.start(dir, "publish", "sample@2.0.0", TestPackages.sampleJar().toString(), "--to",
                "tree", "--expires-in", "1d")) {
            assertNotEquals(0, ar.waitFor(TIMEOUT));
            assertTrue(output(ar).contains("needs a signing key (--sign-key)"), output(ar));
        }
    }
}
