package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.runtime.tools.ClassDataArchiveTrainer;

/**
 * {@code pluginHost.java}: Java plugins run on another JVM than the runtime's, here a JDK 25 (skipped
 * where none is installed under /usr/lib/jvm), with the AOT cache trained for their jar; a jar that
 * changed since is run without it, never with the stale cache.
 */
class PluginHostJavaTest {
    @TempDir
    Path dir;

    private static Optional<Path> jdk25() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            return dirs.map(d -> d.resolve("bin/java")).filter(Files::isExecutable)
                    .filter(java -> ClassDataFiles.supportsAotCache(java)).sorted().findFirst();
        }
    }

    @Test
    void pluginsRunOnTheConfiguredJavaWithTheAotCacheOfTheirJarAndNeverAStaleOne() throws Exception {
        Optional<Path> java = jdk25();
        assumeTrue(java.isPresent(), "no JDK 25 or later under /usr/lib/jvm");
        TestPackages packages = new TestPackages(dir);
        PackageRef ref = packages.jar("sample", "1.0.0", TestPackages.sampleJar());
        Path jar = packages.layout().versionDir(ref).resolve("sample.jar");
        Path cache = ClassDataArchiveTrainer.train(packages.layout(), ref, java);
        assertTrue(ClassDataFiles.isAotCacheOf(ref, cache), cache.toString());
        PluginHostOptions options = PluginHostOptions.builder().javaCommand(java.get()).build();

        List<String> arguments = runSample(packages, ref, options, java.get());
        assertTrue(arguments.contains("-XX:AOTCache=" + cache), arguments.toString());

        rewriteWithAnExtraEntry(jar);
        List<String> afterChange = runSample(packages, ref, options, java.get());
        assertFalse(afterChange.stream().anyMatch(a -> a.startsWith("-XX:AOTCache")),
                "the cache was trained for the jar before the change: " + afterChange);
    }

    @Test
    void anotherJdkIsNotGivenTheAppCdsArchiveTheRuntimesJvmWrote() throws Exception {
        Optional<Path> java = jdk25();
        assumeTrue(java.isPresent(), "no JDK 25 or later under /usr/lib/jvm");
        TestPackages packages = new TestPackages(dir);
        PackageRef ref = packages.jar("sample", "1.0.0", TestPackages.sampleJar());
        Path archive = ClassDataArchiveTrainer.train(packages.layout(), ref, Optional.empty()); // this JVM's
        assertEquals(ClassDataFiles.appCdsArchive(ref, packages.layout().versionDir(ref).resolve("sample.jar")), archive);

        List<String> onJdk25 = runSample(packages, ref, PluginHostOptions.builder().javaCommand(java.get()).build(),
                java.get());
        assertFalse(onJdk25.stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile")),
                "a JDK 25 refuses an archive of this JVM with a warning at every launch: " + onJdk25);

        Path runtimeJava = Path.of(ProcessHandle.current().info().command().orElseThrow());
        List<String> onThisJvm = runSample(packages, ref, PluginHostOptions.builder().build(), runtimeJava);
        assertTrue(onThisJvm.contains("-XX:SharedArchiveFile=" + archive), onThisJvm.toString());
    }

    /** Starts the package, checks it answers and runs on {@code java}; returns its JVM's arguments. */
    private static List<String> runSample(TestPackages packages, PackageRef ref, PluginHostOptions options, Path java)
            throws IOException {
        try (PluginManager manager = new PluginManager(packages.layout(), options)) {
            Map<PackageRef, PluginException> failures = manager.start(List.of(new PluginSpec("p", ref, Map.of())));
            assertTrue(failures.isEmpty(), failures.toString());
            assertEquals(3, manager.evaluate("p", EvaluateInput.getDefaultInstance()).getSubjectsCount());
            ProcessHandle.Info info = ProcessHandle.of(manager.client("p").pid().orElseThrow()).orElseThrow().info();
            assertEquals(java.toRealPath(), Path.of(info.command().orElseThrow()).toRealPath());
            return List.of(info.arguments().orElseThrow());
        }
    }

    /** Another valid jar at the same path: the same entries and one more. */
    private static void rewriteWithAnExtraEntry(Path jar) throws IOException {
        Path changed = jar.resolveSibling("changed.jar");
        try (ZipFile in = new ZipFile(jar.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(changed))) {
            for (Enumeration<? extends ZipEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("changed.txt"));
            out.write("a new build".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        Files.move(changed, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
