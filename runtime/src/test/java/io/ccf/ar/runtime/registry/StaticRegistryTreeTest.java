package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.testing.TestRegistryServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.TestPackages;

/** Publishing into a static registry tree on disk, checked with the real sha256sum and the real downloader. */
class StaticRegistryTreeTest {
    @TempDir
    Path dir;

    private Path registry() {
        return dir.resolve("registry");
    }

    private Path script(String name, String body) throws IOException {
        return Files.writeString(dir.resolve(name), "#!/bin/sh\n" + body + "\n");
    }

    @Test
    void publishesAJarWithItsChecksumAndIndexEntry() throws Exception {
        StaticRegistryTree tree = new StaticRegistryTree(registry());
        Path jar = TestPackages.sampleJar();

        StaticRegistryTree.Published published = tree.publish("sample", "1.0.0", jar);

        Path versionDir = registry().resolve("sample/1.0.0");
        assertEquals(versionDir.resolve("sample.jar"), published.file());
        assertEquals("sample/1.0.0/sample.jar", published.path());
        assertEquals(Files.size(jar), published.size());
        assertEquals(-1, Files.mismatch(jar, published.file()));
        assertEquals(published.sha256() + "  sample.jar\n", Files.readString(versionDir.resolve("sample.jar.sha256")));
        assertSha256sumAccepts(versionDir, "sample.jar.sha256");
        assertEquals("rw-r--r--", permissions(versionDir.resolve("sample.jar")));
        assertEquals("rwxr-xr-x", permissions(versionDir), "a file server running as another user must read it");

        RegistryIndex index = RegistryIndex.parse(Files.readAllBytes(registry().resolve("sample/index.json")));
        assertEquals("sample", index.packageName());
        RegistryIndex.Version v = index.version("1.0.0").orElseThrow();
        assertEquals("sample.jar", v.file());
        assertEquals(published.sha256(), v.sha256());
        assertEquals(Files.size(jar), v.size());
        assertTrue(v.published() != null && java.time.Instant.parse(v.published()).isBefore(java.time.Instant.now().plusSeconds(1)));
        assertTrue(Files.readString(registry().resolve("sample/index.json")).contains("\"package\" : \"sample\""));
        assertNoHiddenLeftovers(registry().resolve("sample"));
    }

    @Test
    void publishesAnExecutableUnderThePackageNameAndMakesItRunnable() throws Exception {
        Path source = script("build-output", "echo hi");
        assertTrue(source.toFile().setExecutable(false, false));

        StaticRegistryTree.Published published = new StaticRegistryTree(registry()).publish("goplugin", "0.2.0", source);

        Path file = registry().resolve("goplugin/0.2.0/goplugin");
        assertEquals(file, published.file());
        assertEquals("rwxr-xr-x", permissions(file));
        assertSha256sumAccepts(file.getParent(), "goplugin.sha256");
        Process run = new ProcessBuilder(file.toString()).redirectErrorStream(true).start();
        assertEquals("hi", new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        assertTrue(run.waitFor(10, TimeUnit.SECONDS));
        assertEquals("goplugin", new StaticRegistryTree(registry()).index("goplugin").orElseThrow().packageName());
    }

    @Test
    void versionsAccumulateInTheIndexInVersionOrder() throws Exception {
        StaticRegistryTree tree = new StaticRegistryTree(registry());
        tree.publish("tool", "1.10.0", script("a", "echo 10"));
        tree.publish("tool", "1.9.0", script("b", "echo 9"));
        tree.publish("tool", "1.2.0", script("c", "echo 2"));

        tree.publish("tool", "1.10.0-rc.1", script("d", "echo rc"));
        tree.publish("tool", "dev", script("e", "echo dev"));

        List<String> versions = tree.index("tool").orElseThrow().versions().stream().map(RegistryIndex.Version::version).toList();
        assertEquals(List.of("1.2.0", "1.9.0", "1.10.0-rc.1", "1.10.0", "dev"), versions, "semver order, tags last");
    }

    @Test
    void aPublishSweepsWhatAKilledPublishLeftBehind() throws Exception {
        StaticRegistryTree tree = new StaticRegistryTree(registry());
        tree.publish("tool", "1.0.0", script("a", "echo 1"));
        Path abandoned = Files.createDirectories(registry().resolve("tool/.staging-12345"));
        Files.writeString(abandoned.resolve("tool"), "half a file");
        Path replaced = Files.createDirectories(registry().resolve("tool/.replaced-.staging-999"));

        tree.publish("tool", "1.1.0", script("b", "echo 2"));

        assertFalse(Files.exists(abandoned), "staging of a killed publish removed");
        assertFalse(Files.exists(replaced), "moved-aside version of a killed publish removed");
        assertNoHiddenLeftovers(registry().resolve("tool"));
    }

    @Test
    void republishingOtherContentIsRefusedUnlessOverwriteAndTheSameContentIsANoOp() throws Exception {
        StaticRegistryTree tree = new StaticRegistryTree(registry());
        StaticRegistryTree.Published first = tree.publish("tool", "1.0.0", script("v1", "echo one"));
        String publishedAt = tree.index("tool").orElseThrow().version("1.0.0").orElseThrow().published();

        StaticRegistryTree.Published again = tree.publish("tool", "1.0.0", script("v1-copy", "echo one"));
        assertTrue(again.unchanged());
        assertEquals(first.sha256(), again.sha256());
        assertEquals(publishedAt, tree.index("tool").orElseThrow().version("1.0.0").orElseThrow().published());

        Path other = script("v2", "echo two");
        RegistryException refused = assertThrows(RegistryException.class, () -> tree.publish("tool", "1.0.0", other));
        assertTrue(refused.getMessage().contains("already published"), refused.getMessage());
        assertTrue(refused.getMessage().contains(first.sha256()), refused.getMessage());
        assertTrue(refused.getMessage().contains("--overwrite"), refused.getMessage());
        assertEquals("#!/bin/sh\necho one\n", Files.readString(registry().resolve("tool/1.0.0/tool")));

        StaticRegistryTree.Published replaced = tree.publish("tool", "1.0.0", other, true);
        assertFalse(replaced.unchanged());
        assertNotEquals(first.sha256(), replaced.sha256());
        assertEquals("#!/bin/sh\necho two\n", Files.readString(registry().resolve("tool/1.0.0/tool")));
        assertSha256sumAccepts(registry().resolve("tool/1.0.0"), "tool.sha256");
        assertEquals(replaced.sha256(), tree.index("tool").orElseThrow().version("1.0.0").orElseThrow().sha256());
        assertEquals(1, tree.index("tool").orElseThrow().versions().size());
        assertNoHiddenLeftovers(registry().resolve("tool"));
    }

    @Test
    void replacingAnExecutableByAJarLeavesNoExecutableToShadowIt() throws Exception {
        StaticRegistryTree tree = new StaticRegistryTree(registry());
        tree.publish("sample", "1.0.0", script("exe", "echo old"));
        assertThrows(RegistryException.class, () -> tree.publish("sample", "1.0.0", TestPackages.sampleJar()));

        tree.publish("sample", "1.0.0", TestPackages.sampleJar(), true);

        try (Stream<Path> files = Files.list(registry().resolve("sample/1.0.0"))) {
            assertEquals(List.of("sample.jar", "sample.jar.sha256"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("sample.jar", tree.index("sample").orElseThrow().version("1.0.0").orElseThrow().file());
    }

    @Test
    void namesThatAreNotPlainAndMissingFilesAreRefused() throws Exception {
        StaticRegistryTree tree = new StaticRegistryTree(registry());
        Path file = script("f", "true");
        for (String[] bad : new String[][] {{"../evil", "1.0"}, {"a/b", "1.0"}, {"ok", "../1"}, {"ok", "1/2"}, {"", "1"},
                {".hidden", "1"}, {"ok", ".."}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tree.publish(bad[0], bad[1], file),
                    String.join("@", bad));
            assertTrue(e.getMessage().contains("not a plain name"), e.getMessage());
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> tree.publish("ok", "1.0", dir.resolve("nope.jar")));
        assertTrue(missing.getMessage().contains("nope.jar") && missing.getMessage().contains("not a readable file"),
                missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tree.publish("ok", "1.0", dir));
        assertFalse(Files.exists(dir.resolve("evil")));
        assertFalse(Files.exists(registry().resolve("ok")));
    }

    @Test
    void rebuildIndexDescribesAHandMadeTreeAndWritesMissingChecksums() throws Exception {
        StaticRegistryTree tree = new StaticRegistryTree(registry());
        StaticRegistryTree.Published published = tree.publish("sample", "1.0.0", TestPackages.sampleJar());
        String publishedAt = tree.index("sample").orElseThrow().version("1.0.0").orElseThrow().published();
        // by hand: a second version without a checksum, an empty directory, a stray file, and no index
        Path byHand = Files.createDirectories(registry().resolve("sample/2.0.0"));
        Files.copy(script("exe", "echo two"), byHand.resolve("sample"));
        Files.createDirectories(registry().resolve("sample/3.0.0"));
        Files.writeString(registry().resolve("sample/NOTES.txt"), "hand-made\n");
        Files.delete(registry().resolve("sample/index.json"));
        Files.writeString(registry().resolve("sample/index.json"), "{\"package\": \"sample\", \"versions\": ["
                + "{\"version\": \"1.0.0\", \"file\": \"sample.jar\", \"sha256\": \"" + published.sha256()
                + "\", \"published\": \"" + publishedAt + "\"}, {\"version\": \"9.9.9\", \"file\": \"gone.jar\"}]}");

        RegistryIndex index = tree.rebuildIndex("sample");

        assertEquals(List.of("1.0.0", "2.0.0"), index.versions().stream().map(RegistryIndex.Version::version).toList());
        assertEquals(publishedAt, index.version("1.0.0").orElseThrow().published(), "an unchanged version keeps its date");
        RegistryIndex.Version two = index.version("2.0.0").orElseThrow();
        assertEquals("sample", two.file());
        assertEquals(TreeFiles.sha256Hex(byHand.resolve("sample")), two.sha256());
        assertSha256sumAccepts(byHand, "sample.sha256");
        assertEquals(index, RegistryIndex.parse(Files.readAllBytes(registry().resolve("sample/index.json"))));
    }

    @Test
    void rebuildIndexRefusesAChecksumThatDisagreesWithItsFile() throws Exception {
        StaticRegistryTree tree = new StaticRegistryTree(registry());
        tree.publish("tool", "1.0.0", script("v1", "echo one"));
        Files.writeString(registry().resolve("tool/1.0.0/tool"), "tampered", java.nio.file.StandardOpenOption.APPEND);

        RegistryException e = assertThrows(RegistryException.class, () -> tree.rebuildIndex("tool"));
        assertTrue(e.getMessage().contains("tool.sha256 records"), e.getMessage());

        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> tree.rebuildIndex("nothing"));
        assertTrue(none.getMessage().contains("is not a directory"), none.getMessage());
    }

    @Test
    void theDownloaderInstallsWhatWasPublished() throws Exception {
        new StaticRegistryTree(registry()).publish("sample", "1.0.0", TestPackages.sampleJar());
        try (TestRegistryServer server = new TestRegistryServer(registry())) {
            PackageDownloader downloader = new PackageDownloader(server.uri(), dir.resolve("plugins"),
                    DownloaderOptions.defaults(), null);
            InstalledPackage installed = downloader.install(new PackageRef("sample", "1.0.0"));
            assertEquals(-1, Files.mismatch(TestPackages.sampleJar(), installed.file()));
        }
    }

    /** Runs the real {@code sha256sum -c} in the version directory, as a user checking a download would. */
    private static void assertSha256sumAccepts(Path versionDir, String sumFile) throws Exception {
        Process p = new ProcessBuilder("sha256sum", "-c", sumFile).directory(versionDir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "sha256sum did not finish");
        assertEquals(0, p.exitValue(), "sha256sum -c " + sumFile + ": " + out);
        assertTrue(out.strip().endsWith(": OK"), out);
    }

    private static String permissions(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** Staging directories and temp files are removed; only the lock file stays hidden in the package directory. */
    private static void assertNoHiddenLeftovers(Path packageDir) throws IOException {
        try (Stream<Path> files = Files.list(packageDir)) {
            List<String> hidden = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".") && !n.equals(".publish.lock")).toList();
            assertEquals(List.of(), hidden);
        }
    }
}
