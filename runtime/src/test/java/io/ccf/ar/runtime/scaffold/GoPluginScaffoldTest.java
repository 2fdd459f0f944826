package io.ccf.ar.runtime.scaffold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.plugin.TestPackages;

/** The Go project {@code ar new-plugin --lang go} writes, built offline by its build.sh and run under the runtime. */
class GoPluginScaffoldTest {
    @TempDir
    Path dir;

    @Test
    void buildsOfflineAndChecksDiskSpaceUnderTheRuntime() throws Exception {
        assumeTrue(Commands.onPath("go"), "go is not on the PATH (Debian: golang-go)");
        Commands.ar(dir, "new-plugin", "disk-check", "--lang", "go");
        Path project = dir.resolve("disk-check");

        String out = Commands.run(project, List.of("sh", "build.sh"));
        assertTrue(Files.isExecutable(project.resolve("disk-check")), "build.sh gives ./NAME:\n" + out);
        assertEquals("", Commands.run(project, List.of("gofmt", "-l", "main.go")), "main.go is gofmt-clean");

        new TestPackages(dir.resolve("plugins")).executable("disk-check", "0.1.0", project.resolve("disk-check"));
        DiskCheckRun.assertChecksUnderTheRuntime(dir, "disk-check", dir.toRealPath());
        DiskCheckRun.assertChecksWithRunPlugin(dir, project.resolve("disk-check"), dir.toRealPath());
    }
}
