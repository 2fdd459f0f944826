package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.testing.TestRegistryServer;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ranges and pins against a real static registry with an index.json, and the installer's pin checks. */
class VersionResolverTest {
    static final DownloaderOptions FAST = new DownloaderOptions(Duration.ofSeconds(5), 1024 * 1024, 1, Duration.ofMillis(10));

    @TempDir
    Path dir;
    TestRegistryServer server;
    Path pluginsDir;
    HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = new TestRegistryServer(Files.createDirectories(dir.resolve("registry")));
        pluginsDir = dir.resolve("plugins");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpPackageSource source() {
        return new HttpPackageSource(server.uri(), FAST, client);
    }

    private VersionResolver resolver(Optional<PackageSource> source) {
        return new VersionResolver(new PackageLayout(pluginsDir), source);
    }

    /** Publishes each version (content = its name) and an index listing them. */
    private void publishWithIndex(String pkg, String... versions) throws Exception {
        RegistryIndex index = new RegistryIndex(pkg, List.of());
        for (String v : versions) {
            byte[] content = ("jar " + v).getBytes(StandardCharsets.UTF_8);
            server.publish(pkg, v, pkg + ".jar", content);
            index = index.with(new RegistryIndex.Version(v, pkg + ".jar", TestRegistryServer.sha256Hex(content),
                    (long) content.length, null));
        }
        Files.write(server.root.resolve(pkg).resolve("index.json"), index.toJson());
    }

    @Test
    void aRangeResolvesToTheHighestMatchingVersionInTheIndex() throws Exception {
        publishWithIndex("sample", "1.0.0", "1.2.0", "1.10.3", "2.0.0-rc.1", "2.0.0", "2.1.0");
        VersionResolver r = resolver(Optional.of(source()));
        assertEquals(new PackageRef("sample", "1.10.3"), r.resolve("sample", "^1.0").ref());
        assertEquals(new PackageRef("sample", "1.2.0"), r.resolve("sample", "~1.2").ref());
        assertEquals(new PackageRef("sample", "1.10.3"), r.resolve("sample", ">=1.0 <2.0").ref());
        assertEquals(new PackageRef("sample", "2.1.0"), r.resolve("sample", "latest").ref());
        assertEquals(new PackageRef("sample", "1.0.0"), r.resolve("sample", "1.0.0").ref()); // exact: no index needed

        RegistryException none = assertThrows(RegistryException.class, () -> r.resolve("sample", "^3"));
        assertTrue(none.getMessage().contains("no version of package sample matches \"^3\""), none.getMessage());
        assertTrue(none.getMessage().contains("2.1.0"), "lists what the registry offers: " + none.getMessage());
    }

    @Test
    void aRangeFallsBackToInstalledVersionsWhenTheRegistryCannotTell() throws Exception {
        Files.createDirectories(pluginsDir.resolve("sample/1.4.0"));
        Files.createDirectories(pluginsDir.resolve("sample/1.5.0"));
        Files.createDirectories(pluginsDir.resolve("other/1.9.0"));
        // no index.json at all: 404
        assertEquals("1.5.0", resolver(Optional.of(source())).resolve("sample", "^1.0").ref().version());
        // registry down
        URI closed = URI.create("http://127.0.0.1:1/");
        assertEquals("1.5.0", resolver(Optional.of(new HttpPackageSource(closed, FAST, client)))
                .resolve("sample", "^1.0").ref().version());
        // no registry configured
        assertEquals("1.4.0", resolver(Optional.empty()).resolve("sample", "~1.4").ref().version());
        RegistryException e = assertThrows(RegistryException.class, () -> resolver(Optional.empty()).resolve("sample", "^2"));
        assertTrue(e.getMessage().contains("no registry is configured; installed: [1.4.0, 1.5.0]"), e.getMessage());
    }

    @Test
    void aMalformedOrForeignIndexIsReported() throws Exception {
        Files.createDirectories(server.root.resolve("sample"));
        Files.writeString(server.root.resolve("sample/index.json"), "{not json");
        RegistryException bad = assertThrows(RegistryException.class, () -> source().versions("sample"));
        assertTrue(bad.getMessage().contains("malformed index.json"), bad.getMessage());
        assertTrue(bad.getMessage().contains(server.uri() + "sample/index.json"), bad.getMessage());

        Files.write(server.root.resolve("sample/index.json"), new RegistryIndex("other", List.of()).toJson());
        assertTrue(assertThrows(RegistryException.class, () -> source().versions("sample")).getMessage()
                .contains("index.json is for package \"other\""));

        RegistryException missing = assertThrows(RegistryException.class, () -> source().versions("nothing"));
        assertTrue(missing.getMessage().contains("no index.json (404)"), missing.getMessage());
    }

    @Test
    void aPinnedVersionInstallsOnlyThatContent() throws Exception {
        byte[] content = "jar 1.0.0".getBytes(StandardCharsets.UTF_8);
        server.publish("sample", "1.0.0", "sample.jar", content);
        String good = "sha256:" + TestRegistryServer.sha256Hex(content);
        String wrong = "sha256:" + "0".repeat(64);
        PackageDownloader downloader = new PackageDownloader(source(), new PackageLayout(pluginsDir));
        PackageRef ref = new PackageRef("sample", "1.0.0");

        RegistryException e = assertThrows(RegistryException.class, () -> downloader.install(ref, Optional.of(wrong)));
        assertTrue(e.getMessage().contains("content differs from the pinned digest"), e.getMessage());
        assertTrue(e.getMessage().contains(wrong), e.getMessage());
        assertFalse(Files.exists(pluginsDir.resolve("sample/1.0.0")), "nothing installed");

        assertTrue(downloader.install(ref, Optional.of(good)).downloaded());
        assertFalse(downloader.install(ref, Optional.of(good)).downloaded(), "the pinned content is already there");
        assertTrue(new LockFile(pluginsDir).get(ref).orElseThrow().matchesDigest(good));

        // the registry now serves other content under the same version: a pin to the old content refuses it
        int before = server.hits("/sample/1.0.0/sample.jar");
        server.publish("sample", "1.0.0", "sample.jar", "republished".getBytes(StandardCharsets.UTF_8));
        assertFalse(downloader.install(ref, Optional.of(good)).downloaded(), "installed copy still matches the pin");
        assertEquals(before, server.hits("/sample/1.0.0/sample.jar"));
        String republished = "sha256:" + TestRegistryServer.sha256Hex("republished".getBytes(StandardCharsets.UTF_8));
        assertTrue(downloader.install(ref, Optional.of(republished)).downloaded(), "a new pin replaces the installed copy");
        assertEquals("republished", Files.readString(pluginsDir.resolve("sample/1.0.0/sample.jar")));
    }

    @Test
    void stagingLeftByADeadProcessIsSweptAndALiveOnesIsKept() throws Exception {
        server.publish("sample", "1.0.0", "sample.jar", "jar".getBytes(StandardCharsets.UTF_8));
        Path dead = Files.createDirectories(pluginsDir.resolve(".staging-2147483646-00ff/1.0.0"));
        Files.writeString(dead.resolve("sample.jar"), "half");
        Path legacy = Files.createDirectories(pluginsDir.resolve(".staging-abcdef"));
        Path live = Files.createDirectories(pluginsDir.resolve(".staging-" + ProcessHandle.current().pid() + "-11aa"));

        new PackageDownloader(source(), new PackageLayout(pluginsDir)).install(new PackageRef("sample", "1.0.0"));

        assertFalse(Files.exists(dead.getParent()), "dead process's staging removed");
        assertFalse(Files.exists(legacy), "staging without an owner removed");
        assertTrue(Files.exists(live), "a live process's staging is left alone");
    }
}
