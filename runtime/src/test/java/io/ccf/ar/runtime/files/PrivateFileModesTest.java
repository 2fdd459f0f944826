package io.ccf.ar.runtime.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.config.PlanSpec;
import io.ccf.ar.runtime.config.ProviderSpec;
import io.ccf.ar.runtime.config.SelectorSpec;
import io.ccf.ar.runtime.config.TaskSpec;
import io.ccf.ar.runtime.config.ActivitySpec;
import io.ccf.ar.runtime.messaging.ResultSpool;
import io.ccf.ar.runtime.plans.PlanStore;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.registry.LockFile;

/**
 * Plan files, spool segments, dead letters and plugins.lock are 0600 in 0700 directories (the directories the
 * runtime creates), whatever the umask, and a plan file that was more open is 0600 once rewritten.
 */
class PrivateFileModesTest {
    @TempDir
    Path dir;

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static PlanSpec plan(String id) {
        return new PlanSpec(id, "", "", "", "", List.of(new TaskSpec("t1", "", "*/5 * * * *", List.of(
                new ActivitySpec("a1", "", SelectorSpec.EMPTY, new ProviderSpec("busy", "sample", "1.0.0",
                        java.util.Map.of("token", "s3cret")))))), "test");
    }

    @Test
    void planFilesArePrivate() throws Exception {
        Path assessments = dir.resolve("home/assessments");
        PlanStore store = new PlanStore(assessments);
        Path file = Path.of(store.put(plan("p1")).source());
        assertEquals("rwx------", mode(assessments), "assessmentsDir created by the runtime");
        assertEquals("rw-------", mode(file));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--")); // e.g. written by hand
        store.put(plan("p1"));
        assertEquals("rw-------", mode(file), "an update makes an open plan file private");
    }

    @Test
    void anExistingDirectoryKeepsItsMode() throws Exception {
        Path assessments = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(assessments, PosixFilePermissions.fromString("rwxr-x---"));
        Path file = Path.of(new PlanStore(assessments).put(plan("p1")).source());
        assertEquals("rwxr-x---", mode(assessments));
        assertEquals("rw-------", mode(file));
    }

    @Test
    void spoolSegmentsAndDeadLettersArePrivate() throws Exception {
        Path spoolDir = dir.resolve("home/spool");
        try (ResultSpool spool = ResultSpool.open(spoolDir)) {
            spool.append("id-1", "{\"status\":\"SUCCESS\"}".getBytes(StandardCharsets.UTF_8));
            spool.deadLetter("id-2", "too big", 10054, "{}".getBytes(StandardCharsets.UTF_8));
            spool.commit();
            assertEquals("rwx------", mode(spoolDir));
            assertEquals("rwx------", mode(spool.deadLetterFile().getParent()));
            assertEquals("rw-------", mode(spool.deadLetterFile()));
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.list(spoolDir)) {
                s.filter(Files::isRegularFile).forEach(files::add);
            }
            assertEquals(true, files.stream().anyMatch(f -> f.getFileName().toString().endsWith(".seg")), files.toString());
            for (Path f : files) {
                assertEquals("rw-------", mode(f), f.toString());
            }
        }
    }

    @Test
    void pluginsLockIsPrivateAndPackagesStayReadable() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.setPosixFilePermissions(plugins, PosixFilePermissions.fromString("rwxr-xr-x"));
        LockFile lock = new LockFile(plugins);
        lock.put(new PackageRef("sample", "1.0.0"), new LockFile.Entry("sample.jar", "00".repeat(32), "test", "now"));
        assertEquals("rw-------", mode(lock.path()));
        assertEquals("rwxr-xr-x", mode(plugins), "the plugins tree (jars) stays as it was");
        assertEquals("rwx------", mode(plugins.resolve(".locks")));
    }
}
