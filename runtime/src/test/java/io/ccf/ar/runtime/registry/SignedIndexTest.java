package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.testing.TestRegistryServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A static registry whose index is signed (Ed25519) by {@code ar publish --sign-key}, served over real HTTP: with
 * trusted keys the downloader checks files against the signed index, not against the {@code .sha256} beside them.
 */
class SignedIndexTest {
    static final DownloaderOptions FAST = new DownloaderOptions(Duration.ofSeconds(5), 1024 * 1024, 0, Duration.ofMillis(10));
    static final PackageRef SAMPLE = new PackageRef("sample", "1.0.0");

    @TempDir
    Path tmp;
    Path root;
    Path keys;
    TestRegistryServer server;
    KeyPair pair;

    @BeforeEach
    void publishSigned() throws Exception {
        root = Files.createDirectories(tmp.resolve("registry"));
        keys = Files.createDirectories(tmp.resolve("keys"));
        pair = IndexSignature.generate();
        IndexSignature.writePrivateKey(keys.resolve("k.key"), pair.getPrivate());
        IndexSignature.writePublicKey(keys.resolve("k.pub"), pair.getPublic());
        StaticRegistryTree tree = new StaticRegistryTree(root, IndexSignature.readPrivateKey(keys.resolve("k.key")));
        tree.publish("sample", "1.0.0", file("good.jar", "the published jar"));
        tree.publish("sample", "1.1.0", file("good11.jar", "the next jar"));
        server = new TestRegistryServer(root);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Path file(String name, String content) throws Exception {
        return Files.writeString(tmp.resolve(name), content);
    }

    HttpPackageSource trusting(Path... publicKeys) {
        List<IndexSignature.TrustedKey> trusted = java.util.Arrays.stream(publicKeys).map(IndexSignature::trustedKey).toList();
        return new HttpPackageSource(server.uri(), FAST, null, RegistryAccess.ANONYMOUS.withTrustedKeys(trusted));
    }

    PackageSource.FetchedPackage fetch(HttpPackageSource source) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("fetch-" + System.nanoTime()));
        return source.fetch(SAMPLE, Optional.empty(), dir);
    }

    /** What an attacker who controls the server (not the key) can do: new content with a matching sidecar. */
    void replaceFileAndSidecar(String content) throws Exception {
        Path versionDir = root.resolve("sample/1.0.0");
        Files.writeString(versionDir.resolve("sample.jar"), content);
        Files.writeString(versionDir.resolve("sample.jar.sha256"),
                TestRegistryServer.sha256Hex(content.getBytes(StandardCharsets.UTF_8)) + "  sample.jar\n");
    }

    @Test
    void aSignedIndexVerifiesAndItsSha256Decides() throws Exception {
        assertTrue(Files.exists(root.resolve("sample/index.json.sig")));
        HttpPackageSource source = trusting(keys.resolve("k.pub"));
        assertEquals(List.of("1.0.0", "1.1.0"), source.versions("sample"));
        PackageSource.FetchedPackage fetched = fetch(source);
        assertEquals(TestRegistryServer.sha256Hex("the published jar".getBytes(StandardCharsets.UTF_8)), fetched.sha256());
        // the sidecar is not consulted: a broken one changes nothing
        Files.writeString(root.resolve("sample/1.0.0/sample.jar.sha256"), "garbage\n");
        assertEquals(fetched.sha256(), fetch(source).sha256());
        assertEquals(0, server.hits("/sample/1.0.0/sample.jar.sha256"));
    }

    @Test
    void aFileThatDoesNotMatchTheSignedIndexIsRefusedThoughItsSidecarMatches() throws Exception {
        replaceFileAndSidecar("a trojan");
        // without trusted keys the sidecar from the same server is all there is, and it agrees
        assertEquals(TestRegistryServer.sha256Hex("a trojan".getBytes(StandardCharsets.UTF_8)),
                fetch(new HttpPackageSource(server.uri(), FAST, null)).sha256());

        RegistryException e = assertThrows(RegistryException.class, () -> fetch(trusting(keys.resolve("k.pub"))));
        assertTrue(e.getMessage().contains("checksum mismatch with the signed index"), e.getMessage());
        assertTrue(e.getMessage().contains("package sample version 1.0.0"), e.getMessage());
    }

    @Test
    void anIndexChangedAfterSigningHasABadSignature() throws Exception {
        replaceFileAndSidecar("a trojan");
        Path index = root.resolve("sample/index.json");
        String good = TestRegistryServer.sha256Hex("the published jar".getBytes(StandardCharsets.UTF_8));
        String evil = TestRegistryServer.sha256Hex("a trojan".getBytes(StandardCharsets.UTF_8));
        Files.writeString(index, Files.readString(index).replace(good, evil));
        RegistryException e = assertThrows(RegistryException.class, () -> fetch(trusting(keys.resolve("k.pub"))));
        assertTrue(e.getMessage().contains("refusing index: bad signature"), e.getMessage());
        assertEquals(2, server.hits("/sample/index.json"), "read once more in case a publish was half-way");
        assertEquals(0, server.hits("/sample/1.0.0/sample.jar"), "nothing downloaded from a refused index");
        assertThrows(RegistryException.class, () -> trusting(keys.resolve("k.pub")).versions("sample"));
    }

    @Test
    void anUnsignedIndexOrOneSignedByAnotherKeyIsRefused() throws Exception {
        KeyPair other = IndexSignature.generate();
        IndexSignature.writePublicKey(keys.resolve("other.pub"), other.getPublic());
        RegistryException untrusted = assertThrows(RegistryException.class, () -> fetch(trusting(keys.resolve("other.pub"))));
        assertTrue(untrusted.getMessage().contains("which is not among registry.trustedKeys"), untrusted.getMessage());
        // either of two trusted keys will do
        fetch(trusting(keys.resolve("other.pub"), keys.resolve("k.pub")));

        // publishing without the key rewrites the index and removes the signature that no longer matches it
        new StaticRegistryTree(root).publish("sample", "1.2.0", file("unsigned.jar", "unsigned"));
        assertFalse(Files.exists(root.resolve("sample/index.json.sig")));
        RegistryException unsigned = assertThrows(RegistryException.class, () -> fetch(trusting(keys.resolve("k.pub"))));
        assertTrue(unsigned.getMessage().contains("index.json is not signed"), unsigned.getMessage());
        assertTrue(unsigned.getMessage().contains("registry.trustedKeys"), unsigned.getMessage());

        // reindexing with the key signs it again
        new StaticRegistryTree(root, pair.getPrivate()).rebuildIndex("sample");
        assertArrayEquals("the published jar".getBytes(StandardCharsets.UTF_8),
                Files.readAllBytes(Files.createDirectories(tmp.resolve("again")).resolve(
                        trusting(keys.resolve("k.pub")).fetch(SAMPLE, Optional.empty(), tmp.resolve("again")).file())));
    }

    @Test
    void aVersionMissingFromTheSignedIndexIsRefused() throws Exception {
        Files.createDirectories(root.resolve("sample/9.9.9"));
        Files.writeString(root.resolve("sample/9.9.9/sample.jar"), "slipped in");
        RegistryException e = assertThrows(RegistryException.class, () -> trusting(keys.resolve("k.pub"))
                .fetch(new PackageRef("sample", "9.9.9"), Optional.empty(), Files.createDirectories(tmp.resolve("x"))));
        assertTrue(e.getMessage().contains("version 9.9.9 is not in the signed index"), e.getMessage());
    }

    @Test
    void thePublicKeyIsDerivedFromThePrivateKey() {
        assertEquals(IndexSignature.keyId(pair.getPublic()), IndexSignature.keyId(IndexSignature.publicKeyOf(pair.getPrivate())));
    }
}
