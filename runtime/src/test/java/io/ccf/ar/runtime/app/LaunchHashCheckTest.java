package io.ccf.ar.runtime.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.runtime.config.RuntimeConfig;
import io.ccf.ar.runtime.config.RuntimeConfigLoader;
import io.ccf.ar.runtime.files.CachingFileHasher;
import io.ccf.ar.runtime.files.FileHasher;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginException;
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.plugin.PluginSpec;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.registry.LockFile;

/**
 * The plugins.lock check before every launch, as the daemon configures it ({@link LoadedRuntime#hostOptions}):
 * the sample jar is hashed once however often it is launched, and a jar changed in place (same size, same
 * modification time, same inode) is hashed again and refused.
 */
class LaunchHashCheckTest {
    @TempDir
    Path dir;

    @Test
    void anUnchangedJarIsHashedOnceAndAJarChangedInPlaceIsRehashedAndRefused() throws Exception {
        Path pluginsDir = dir.resolve("plugins");
        TestPackages packages = new TestPackages(pluginsDir);
        PackageRef ref = packages.jar("sample", "1.0.0", TestPackages.sampleJar());
        Path jar = packages.layout().versionDir(ref).resolve("sample.jar");
        new LockFile(pluginsDir).put(ref, new LockFile.Entry("sample.jar", FileHasher.readSha256Hex(jar), "test",
                "2026-01-01T00:00:00Z"));
        Files.writeString(dir.resolve("config.yml"), "pluginsDir: plugins\n");
        RuntimeConfig config = new RuntimeConfigLoader(Map.of(), () -> "h").load(dir.resolve("config.yml"));
        PluginHostOptions options = LoadedRuntime.hostOptions(config);
        CachingFileHasher hasher = (CachingFileHasher) options.fileHasher();

        for (int launch = 1; launch <= 2; launch++) {
            try (PluginManager manager = new PluginManager(packages.layout(), options)) {
                Map<PackageRef, PluginException> failures = manager.start(List.of(new PluginSpec("p", ref, Map.of())));
                assertTrue(failures.isEmpty(), "launch " + launch + ": " + failures);
                assertEquals(3, manager.evaluate("p", EvaluateInput.getDefaultInstance()).getSubjectsCount());
            }
        }
        assertEquals(1, hasher.filesRead(), "the second launch checked the remembered hash");

        // A change that keeps size, modification time and inode: only the change time tells
        FileTime modified = Files.getLastModifiedTime(jar);
        Object inode = Files.readAttributes(jar, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        try (FileChannel channel = FileChannel.open(jar, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("tampered".getBytes(StandardCharsets.US_ASCII)), Files.size(jar) / 2);
        }
        Files.setLastModifiedTime(jar, modified);
        assertEquals(inode, Files.readAttributes(jar, java.nio.file.attribute.BasicFileAttributes.class).fileKey());

        try (PluginManager manager = new PluginManager(packages.layout(), options)) {
            Map<PackageRef, PluginException> failures = manager.start(List.of(new PluginSpec("p", ref, Map.of())));
            String message = String.valueOf(failures.get(ref));
            assertTrue(message.contains("refused before launch") && message.contains("modified after install"), message);
            assertTrue(manager.client("p").pid().isEmpty(), "nothing was launched");
        }
        assertEquals(2, hasher.filesRead(), "the changed jar was read again");
    }
}
