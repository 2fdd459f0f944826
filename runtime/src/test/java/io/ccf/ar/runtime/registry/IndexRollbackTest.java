package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.testing.TestRegistryServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A signed registry over real HTTP whose server replays an older, validly signed index (rollback) or an expired
 * one (freeze): the runtime, remembering the serials it has verified in the plugins directory, refuses both and
 * leaves what it installed alone.
 */
class IndexRollbackTest {
    static final DownloaderOptions FAST = SignedIndexTest.FAST;

    @TempDir
    Path tmp;
    Path root;
    Path plugins;
    KeyPair pair;
    TestRegistryServer server;

    @BeforeEach
    void start() throws Exception {
        root = Files.createDirectories(tmp.resolve("registry"));
        plugins = tmp.resolve("plugins");
        pair = IndexSignature.generate();
        IndexSignature.writePublicKey(tmp.resolve("k.pub"), pair.getPublic());
        server = new TestRegistryServer(root);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A runtime as a new process would be: its memory is only the plugins directory. */
    HttpPackageSource runtimeSource() {
        return new HttpPackageSource(server.uri(), FAST, null,
                RegistryAccess.ANONYMOUS.withTrustedKeys(List.of(IndexSignature.trustedKey(tmp.resolve("k.pub")))),
                IndexFreshness.in(plugins));
    }

    InstalledPackage installNewest(String range) {
        HttpPackageSource source = runtimeSource();
        VersionResolver.Resolved r = new VersionResolver(new PackageLayout(plugins), Optional.of(source)).resolve("sample", range);
        return new PackageDownloader(source, new PackageLayout(plugins)).install(r.ref(), r.pinnedDigest());
    }

    void publish(String version, String content) throws Exception {
        new StaticRegistryTree(root, pair.getPrivate()).publish("sample", version, Files.writeString(tmp.resolve(version + ".jar"), content));
    }

    /** Every file with its SHA-256, but the empty lock files an install attempt leaves in .locks by design. */
    Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile)
                    .filter(p -> !dir.relativize(p).startsWith(PackageDownloader.LOCKS_DIR)).toList()) {
                files.put(dir.relativize(p).toString(), TestRegistryServer.sha256Hex(Files.readAllBytes(p)));
            }
        }
        return files;
    }

    @Test
    void anOlderSignedIndexPutBackIsRefusedAndNothingChanges() throws Exception {
        publish("1.0.0", "one");
        publish("1.0.1", "one-zero-one, vulnerable");
        assertEquals("1.0.0", installNewest("1.0.0").ref().version());
        long s1 = RegistryIndex.parse(Files.readAllBytes(root.resolve("sample/index.json"))).serial();
        byte[] oldIndex = Files.readAllBytes(root.resolve("sample/index.json"));
        byte[] oldSig = Files.readAllBytes(root.resolve("sample/index.json.sig"));

        publish("1.1.0", "one-one, the fix");
        long s2 = RegistryIndex.parse(Files.readAllBytes(root.resolve("sample/index.json"))).serial();
        assertTrue(s2 > s1, s1 + " then " + s2);
        assertEquals("1.1.0", installNewest("^1").ref().version());
        assertEquals(s2, SeenSerials.in(plugins).get(IndexFreshness.key(server.uri()), "sample").getAsLong());

        // the server (a mirror, a proxy, an attacker) puts the old signed index back and hides the fix
        Files.write(root.resolve("sample/index.json"), oldIndex);
        Files.write(root.resolve("sample/index.json.sig"), oldSig);
        Files.delete(root.resolve("sample/1.1.0/sample.jar"));
        Map<String, String> before = snapshot(plugins);
        RegistryException listing = assertThrows(RegistryException.class, () -> runtimeSource().versions("sample"));
        assertTrue(listing.getMessage().contains("refusing index: the signed index of sample has serial " + s1
                + ", lower than serial " + s2), listing.getMessage());
        assertTrue(listing.getMessage().contains("the registry served an older index than this runtime has seen: rollback?"),
                listing.getMessage());
        // a version only the old index lists cannot be installed from it
        RegistryException exact = assertThrows(RegistryException.class, () -> installNewest("1.0.1"));
        assertTrue(exact.getMessage().contains("package sample version 1.0.1"), exact.getMessage());
        assertTrue(exact.getMessage().contains("rollback?"), exact.getMessage());
        // a range, as when the registry is down, is chosen among the installed versions: no downgrade
        assertEquals("1.1.0", installNewest("^1").ref().version());
        assertEquals(before, snapshot(plugins), "nothing installed, removed or recorded");

        // a signature check still comes first: an index whose serial was edited without re-signing is a bad signature
        String edited = new String(oldIndex).replace("\"serial\" : " + s1, "\"serial\" : " + (s2 + 1000));
        assertTrue(!edited.equals(new String(oldIndex)));
        Files.writeString(root.resolve("sample/index.json"), edited);
        RegistryException tampered = assertThrows(RegistryException.class, () -> installNewest("1.0.1"));
        assertTrue(tampered.getMessage().contains("refusing index: bad signature"), tampered.getMessage());
        assertEquals(before, snapshot(plugins));
    }

    @Test
    void theSameIndexAgainIsAccepted() throws Exception {
        publish("1.0.0", "one");
        assertEquals("1.0.0", installNewest("^1").ref().version());
        assertEquals("1.0.0", installNewest("^1").ref().version()); // equal serial, other source instance
        assertEquals(List.of("1.0.0"), runtimeSource().versions("sample"));
    }

    @Test
    void anExpiredSignedIndexIsRefused() throws Exception {
        Instant signedAt = Instant.now().minus(Duration.ofDays(2));
        new StaticRegistryTree(root, pair.getPrivate(), Duration.ofDays(1), Clock.fixed(signedAt, ZoneOffset.UTC))
                .publish("sample", "1.0.0", Files.writeString(tmp.resolve("one.jar"), "one"));
        RegistryIndex index = RegistryIndex.parse(Files.readAllBytes(root.resolve("sample/index.json")));
        RegistryException e = assertThrows(RegistryException.class, () -> installNewest("^1"));
        assertTrue(e.getMessage().contains("expired at " + index.expires()), e.getMessage());
        assertTrue(e.getMessage().contains("re-sign the index"), e.getMessage());
        assertTrue(Files.notExists(plugins.resolve("sample")), "nothing installed");

        // re-signed in time: accepted
        new StaticRegistryTree(root, pair.getPrivate(), Duration.ofDays(30), Clock.systemUTC()).rebuildIndex("sample");
        assertEquals("1.0.0", installNewest("^1").ref().version());
    }

    @Test
    void withoutTrustedKeysTheFieldsAreIgnored() throws Exception {
        publish("1.0.0", "one");
        byte[] oldIndex = Files.readAllBytes(root.resolve("sample/index.json"));
        publish("1.1.0", "two");
        HttpPackageSource unsigned = new HttpPackageSource(server.uri(), FAST, null, RegistryAccess.ANONYMOUS, IndexFreshness.in(plugins));
        assertEquals(List.of("1.0.0", "1.1.0"), unsigned.versions("sample"));
        Files.write(root.resolve("sample/index.json"), oldIndex);
        assertEquals(List.of("1.0.0"), unsigned.versions("sample"), "an unsigned reader has no serials to compare");
        assertTrue(Files.notExists(plugins.resolve(SeenSerials.FILE)));
    }
}
