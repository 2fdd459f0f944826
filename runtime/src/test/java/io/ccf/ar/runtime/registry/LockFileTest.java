package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.testing.TestRegistryServer;
import io.ccf.ar.runtime.plugin.PackageRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LockFileTest {
    @TempDir
    Path pluginsDir;

    private PackageRef install(String name, String version, String file, String content) throws Exception {
        PackageRef ref = new PackageRef(name, version);
        Path dir = pluginsDir.resolve(name).resolve(version);
        Files.createDirectories(dir);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve(file), bytes);
        new LockFile(pluginsDir).put(ref, new LockFile.Entry(file, TestRegistryServer.sha256Hex(bytes),
                "http://example/" + name, "2024-01-01T00:00:00Z"));
        return ref;
    }

    @Test
    void verifyDetectsTamperedFile() throws Exception {
        PackageRef ref = install("sample", "1.0.0", "sample.jar", "original");
        LockFile lock = new LockFile(pluginsDir);
        assertTrue(lock.verify(ref));

        Files.writeString(pluginsDir.resolve("sample/1.0.0/sample.jar"), "tampered");

        assertFalse(lock.verify(ref));
        RegistryException e = assertThrows(RegistryException.class, () -> lock.requireVerified(ref));
        assertTrue(e.getMessage().contains("modified after install"), e.getMessage());
    }

    @Test
    void verifyFailsWithoutEntryOrFile() throws Exception {
        LockFile lock = new LockFile(pluginsDir);
        assertFalse(lock.verify(new PackageRef("nothing", "1.0")));
        PackageRef ref = install("sample", "1.0.0", "sample.jar", "x");
        Files.delete(pluginsDir.resolve("sample/1.0.0/sample.jar"));
        assertFalse(lock.verify(ref));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "{\"sample\": {\"1.0.0\": {\"fi", "\u0000\u0000\u0000"})
    void aTruncatedOrCorruptLockFileIsMovedAsideAndRebuiltFromWhatIsInstalled(String broken) throws Exception {
        PackageRef sample = install("sample", "1.0.0", "sample.jar", "original");
        PackageRef other = install("other", "2.0", "other.jar", "two");
        Files.createDirectories(pluginsDir.resolve("empty/1.0")); // nothing runnable: not recorded
        Files.writeString(pluginsDir.resolve(LockFile.FILE_NAME), broken);

        LockFile lock = new LockFile(pluginsDir);
        assertTrue(lock.verify(sample), "recovered on first read");
        assertTrue(lock.verify(other));
        assertEquals(LockFile.REBUILT_SOURCE, lock.get(sample).orElseThrow().source());
        assertEquals(java.util.Set.of("sample", "other"), lock.entries().keySet());
        try (var files = Files.list(pluginsDir)) {
            java.util.List<Path> aside = files.filter(p -> p.getFileName().toString()
                    .startsWith(LockFile.FILE_NAME + ".corrupt-")).toList();
            assertEquals(1, aside.size());
            assertEquals(broken, Files.readString(aside.get(0)), "the broken file is kept for inspection");
        }
        // a modification after the recovery is still caught
        Files.writeString(pluginsDir.resolve("sample/1.0.0/sample.jar"), "tampered");
        assertFalse(lock.verify(sample));
    }

    @Test
    void jsonShapeAndRoundTrip() throws Exception {
        install("a", "1.0", "a.jar", "one");
        install("a", "2.0", "a", "two");
        install("b", "1.0", "b.jar", "three");
        LockFile lock = new LockFile(pluginsDir);
        lock.remove(new PackageRef("b", "1.0"));

        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lock.path().toFile());
        assertEquals("a.jar", tree.path("a").path("1.0").path("file").asText());
        assertEquals("a", tree.path("a").path("2.0").path("file").asText());
        assertEquals("2024-01-01T00:00:00Z", tree.path("a").path("2.0").path("installedAt").asText());
        assertEquals(64, tree.path("a").path("1.0").path("sha256").asText().length());
        assertFalse(tree.has("b"));
        try (var files = Files.list(pluginsDir)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count());
        }
    }

    @Test
    void parsesSha256sumFormat() {
        PackageRef ref = new PackageRef("p", "1");
        URI url = URI.create("http://x/p/1/p.sha256");
        String hex = "ab".repeat(32);
        byte[] expected = java.util.HexFormat.of().parseHex(hex);
        assertArrayEquals(expected, HttpPackageSource.parseChecksum(ref, url, "p", (hex + "  p\n").getBytes()));
        assertArrayEquals(expected, HttpPackageSource.parseChecksum(ref, url, "p", (hex + " *p\n").getBytes()));
        assertArrayEquals(expected, HttpPackageSource.parseChecksum(ref, url, "p", (hex.toUpperCase() + "\n").getBytes()));
        assertThrows(RegistryException.class, () -> HttpPackageSource.parseChecksum(ref, url, "p", (hex + "  other\n").getBytes()));
        assertThrows(RegistryException.class, () -> HttpPackageSource.parseChecksum(ref, url, "p", "".getBytes()));
        assertThrows(RegistryException.class, () -> HttpPackageSource.parseChecksum(ref, url, "p", "abc  p".getBytes()));
    }
}
