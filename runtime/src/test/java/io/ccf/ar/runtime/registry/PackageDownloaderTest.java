package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.testing.TestRegistryServer;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginPackage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class PackageDownloaderTest {
    @TempDir
    Path tmp;
    Path pluginsDir;
    TestRegistryServer server;
    HttpClient client;

    static final DownloaderOptions FAST = new DownloaderOptions(Duration.ofSeconds(5), 1024 * 1024, 2, Duration.ofMillis(10));

    @BeforeEach
    void setUp() throws Exception {
        pluginsDir = tmp.resolve("plugins");
        Path repo = tmp.resolve("registry");
        Files.createDirectories(repo);
        server = new TestRegistryServer(repo);
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    PackageDownloader downloader(DownloaderOptions options) {
        return new PackageDownloader(server.uri(), pluginsDir, options, client);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Nothing in pluginsDir except installed package dirs and the lock file: no staging or temp leftovers. */
    void assertNoLeftovers() throws Exception {
        if (!Files.exists(pluginsDir)) {
            return;
        }
        try (Stream<Path> files = Files.list(pluginsDir)) {
            List<String> hidden = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".") && !n.equals(PackageDownloader.LOCKS_DIR)).toList();
            assertEquals(List.of(), hidden, "leftovers in " + pluginsDir);
        }
    }

    void assertNotInstalled(PackageRef ref) throws Exception {
        assertFalse(Files.exists(new PackageLayout(pluginsDir).versionDir(ref)), "version dir must not exist");
        assertNoLeftovers();
    }

    @Test
    void installsJarAndRecordsLockEntry() throws Exception {
        byte[] jar = bytes("PK fake jar content");
        server.publish("sample", "1.0.0", "sample.jar", jar);
        PackageRef ref = new PackageRef("sample", "1.0.0");

        InstalledPackage installed = downloader(FAST).install(ref);

        assertTrue(installed.downloaded());
        assertEquals(pluginsDir.resolve("sample/1.0.0/sample.jar").toAbsolutePath(), installed.file());
        assertArrayEquals(jar, Files.readAllBytes(installed.file()));
        assertEquals(TestRegistryServer.sha256Hex(jar), installed.sha256());
        PluginPackage resolved = new PackageLayout(pluginsDir).resolve(ref);
        assertEquals(PluginPackage.Kind.JAR, resolved.kind());

        LockFile.Entry entry = new LockFile(pluginsDir).get(ref).orElseThrow();
        assertEquals("sample.jar", entry.file());
        assertEquals(TestRegistryServer.sha256Hex(jar), entry.sha256());
        assertEquals(server.uri().resolve("sample/1.0.0/sample.jar").toString(), entry.source());
        assertTrue(entry.installedAt() != null && !entry.installedAt().isEmpty());
        assertTrue(new LockFile(pluginsDir).verify(ref));
        assertNoLeftovers();
    }

    @Test
    void installsExecutableWithExecBit() throws Exception {
        byte[] exe = bytes("#!/bin/sh\necho hi\n");
        server.publish("gotool", "2.1.0", "gotool", exe);
        PackageRef ref = new PackageRef("gotool", "2.1.0");

        InstalledPackage installed = downloader(FAST).install(ref);

        Path file = pluginsDir.resolve("gotool/2.1.0/gotool").toAbsolutePath();
        assertEquals(file, installed.file());
        assertTrue(Files.isExecutable(file));
        assertEquals(PluginPackage.Kind.EXECUTABLE, new PackageLayout(pluginsDir).resolve(ref).kind());
        assertEquals("gotool", new LockFile(pluginsDir).get(ref).orElseThrow().file());
        assertEquals(0, server.hits("/gotool/2.1.0/gotool.jar"), "executable found first, jar not tried");
        assertNoLeftovers();
    }

    @Test
    void secondInstallDoesNotFetch() throws Exception {
        server.publish("sample", "1.0.0", "sample.jar", bytes("jar"));
        PackageRef ref = new PackageRef("sample", "1.0.0");
        PackageDownloader d = downloader(FAST);
        d.install(ref);
        int after = server.total.get();

        InstalledPackage again = d.install(ref);
        InstalledPackage fresh = downloader(FAST).install(ref);

        assertFalse(again.downloaded());
        assertFalse(fresh.downloaded());
        assertEquals(after, server.total.get(), "no request for an installed, verified package");
    }

    @Test
    void reinstallsWhenInstalledFileWasTampered() throws Exception {
        byte[] jar = bytes("good jar");
        server.publish("sample", "1.0.0", "sample.jar", jar);
        PackageRef ref = new PackageRef("sample", "1.0.0");
        PackageDownloader d = downloader(FAST);
        Path file = d.install(ref).file();
        Files.writeString(file, "evil");

        InstalledPackage again = d.install(ref);

        assertTrue(again.downloaded());
        assertArrayEquals(jar, Files.readAllBytes(file));
        assertNoLeftovers();
    }

    @Test
    void checksumMismatchIsRefusedAndLeavesNothing() throws Exception {
        Path f = server.publish("sample", "1.0.0", "sample.jar", bytes("the real jar"));
        Files.writeString(f, "a substituted jar");
        PackageRef ref = new PackageRef("sample", "1.0.0");

        RegistryException e = assertThrows(RegistryException.class, () -> downloader(FAST).install(ref));

        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("sample") && e.getMessage().contains("1.0.0"), e.getMessage());
        assertTrue(e.getMessage().contains(server.uri().resolve("sample/1.0.0/sample.jar").toString()), e.getMessage());
        assertEquals(1, server.hits("/sample/1.0.0/sample.jar"), "checksum mismatch is not retried");
        assertNotInstalled(ref);
        assertTrue(new LockFile(pluginsDir).get(ref).isEmpty());
    }

    @Test
    void notFoundOnBothNames() throws Exception {
        PackageRef ref = new PackageRef("missing", "0.1.0");

        RegistryException e = assertThrows(RegistryException.class, () -> downloader(FAST).install(ref));

        assertTrue(e.getMessage().contains("not found in registry"), e.getMessage());
        assertTrue(e.getMessage().contains("missing") && e.getMessage().contains("0.1.0"), e.getMessage());
        assertEquals(1, server.hits("/missing/0.1.0/missing"), "404 not retried");
        assertEquals(1, server.hits("/missing/0.1.0/missing.jar"), "404 not retried");
        assertNotInstalled(ref);
    }

    @Test
    void missingChecksumFileIsRefused() throws Exception {
        server.publish("sample", "1.0.0", "sample.jar", bytes("jar"));
        Files.delete(server.root.resolve("sample/1.0.0/sample.jar.sha256"));
        PackageRef ref = new PackageRef("sample", "1.0.0");

        RegistryException e = assertThrows(RegistryException.class, () -> downloader(FAST).install(ref));

        assertTrue(e.getMessage().contains("checksum file missing"), e.getMessage());
        assertNotInstalled(ref);
    }

    @Test
    void malformedChecksumFileIsRefused() throws Exception {
        server.publish("sample", "1.0.0", "sample.jar", bytes("jar"));
        Files.writeString(server.root.resolve("sample/1.0.0/sample.jar.sha256"), "not-a-hash  sample.jar\n");
        PackageRef ref = new PackageRef("sample", "1.0.0");

        RegistryException e = assertThrows(RegistryException.class, () -> downloader(FAST).install(ref));

        assertTrue(e.getMessage().contains("malformed checksum"), e.getMessage());
        assertNotInstalled(ref);
    }

    @Test
    void serverErrorThenSuccessIsRetried() throws Exception {
        byte[] jar = bytes("jar after a hiccup");
        server.publish("sample", "1.0.0", "sample.jar", jar);
        AtomicInteger calls = new AtomicInteger();
        server.override("/sample/1.0.0/sample.jar", exchange -> {
            if (calls.incrementAndGet() == 1) {
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            exchange.sendResponseHeaders(200, jar.length);
            exchange.getResponseBody().write(jar);
        });
        PackageRef ref = new PackageRef("sample", "1.0.0");

        InstalledPackage installed = downloader(FAST).install(ref);

        assertEquals(2, calls.get());
        assertArrayEquals(jar, Files.readAllBytes(installed.file()));
        assertNoLeftovers();
    }

    @Test
    void persistentServerErrorGivesUpAfterRetries() throws Exception {
        server.override("/sample/1.0.0/sample", exchange -> exchange.sendResponseHeaders(503, -1));
        PackageRef ref = new PackageRef("sample", "1.0.0");

        RegistryException e = assertThrows(RegistryException.class, () -> downloader(FAST).install(ref));

        assertTrue(e.getMessage().contains("HTTP 503") && e.getMessage().contains("3 attempts"), e.getMessage());
        assertEquals(3, server.hits("/sample/1.0.0/sample"));
        assertNotInstalled(ref);
    }

    @Test
    void slowBodyTimesOut() throws Exception {
        server.override("/sample/1.0.0/sample.jar", exchange -> {
            exchange.sendResponseHeaders(200, 100);
            OutputStream out = exchange.getResponseBody();
            out.write(new byte[10]);
            out.flush();
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        server.publish("other", "1.0.0", "other.jar", bytes("unused")); // keep the tree non-empty
        PackageRef ref = new PackageRef("sample", "1.0.0");
        DownloaderOptions opts = new DownloaderOptions(Duration.ofMillis(300), 1024, 1, Duration.ofMillis(10));
        long start = System.nanoTime();

        RegistryException e = assertThrows(RegistryException.class, () -> downloader(opts).install(ref));

        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertTrue(millis < 4_000, "gave up in time, took " + millis + " ms");
        assertEquals(2, server.hits("/sample/1.0.0/sample.jar"), "timeouts are retried");
        assertNotInstalled(ref);
    }

    @Test
    void truncatedBodyIsRefused() throws Exception {
        server.publish("sample", "1.0.0", "sample.jar", bytes("0123456789"));
        server.override("/sample/1.0.0/sample.jar", exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            OutputStream out = exchange.getResponseBody();
            out.write(bytes("0123456789"));
            out.flush();
            exchange.close(); // closes the connection with 990 bytes owed
        });
        PackageRef ref = new PackageRef("sample", "1.0.0");

        RegistryException e = assertThrows(RegistryException.class, () -> downloader(FAST).install(ref));

        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertNotInstalled(ref);
    }

    @Test
    void oversizeBodyIsRefusedWithoutRetry() throws Exception {
        server.publish("big", "1.0.0", "big.jar", new byte[4096]);
        PackageRef ref = new PackageRef("big", "1.0.0");
        DownloaderOptions opts = FAST.withMaxBodyBytes(1000);

        RegistryException e = assertThrows(RegistryException.class, () -> downloader(opts).install(ref));

        assertTrue(e.getMessage().contains("larger than the limit"), e.getMessage());
        assertEquals(1, server.hits("/big/1.0.0/big.jar"));
        assertNotInstalled(ref);
    }

    @Test
    void oversizeChunkedBodyIsRefused() throws Exception {
        server.override("/big/1.0.0/big.jar", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked: no Content-Length to check up front
            OutputStream out = exchange.getResponseBody();
            for (int i = 0; i < 10; i++) {
                out.write(new byte[1024]);
            }
            out.close();
        });
        PackageRef ref = new PackageRef("big", "1.0.0");

        RegistryException e = assertThrows(RegistryException.class,
                () -> downloader(FAST.withMaxBodyBytes(4000)).install(ref));

        assertTrue(e.getMessage().contains("larger than the limit"), e.getMessage());
        assertNotInstalled(ref);
    }

    @Test
    void concurrentInstallsOfOneRefDownloadOnce() throws Exception {
        byte[] jar = bytes("shared jar");
        server.publish("sample", "1.0.0", "sample.jar", jar);
        server.publish("sample", "2.0.0", "sample.jar", bytes("v2 jar"));
        CountDownLatch release = new CountDownLatch(1);
        server.override("/sample/1.0.0/sample.jar", exchange -> {
            try {
                release.await();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, jar.length);
            exchange.getResponseBody().write(jar);
        });
        PackageDownloader d = downloader(FAST);
        PackageRef v1 = new PackageRef("sample", "1.0.0");
        PackageRef v2 = new PackageRef("sample", "2.0.0");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<InstalledPackage>> v1s = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                v1s.add(pool.submit((Callable<InstalledPackage>) () -> d.install(v1)));
            }
            // a different version is not held up by the blocked one
            assertTrue(pool.submit(() -> d.install(v2)).get().downloaded());
            release.countDown();
            int downloads = 0;
            for (Future<InstalledPackage> f : v1s) {
                downloads += f.get().downloaded() ? 1 : 0;
            }
            assertEquals(1, downloads);
            assertEquals(1, server.hits("/sample/1.0.0/sample.jar"));
            LockFile lock = new LockFile(pluginsDir);
            assertTrue(lock.verify(v1));
            assertTrue(lock.verify(v2));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertNoLeftovers();
    }

    @Test
    void aSilentRegistryHostFailsTheConnectWithinSecondsEvenWithALongBodyTimeout() {
        assertEquals(Duration.ofSeconds(10), DownloaderOptions.defaults().connectTimeout(), "not the 5-minute body timeout");
        assertEquals(Duration.ofSeconds(2), DownloaderOptions.defaults().withTimeout(Duration.ofSeconds(2)).connectTimeout());
    }
}
