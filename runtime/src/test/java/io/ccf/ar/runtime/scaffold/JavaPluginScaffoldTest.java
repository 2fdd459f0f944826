package io.ccf.ar.runtime.scaffold;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.fleet.RuntimeVersion;
import io.ccf.ar.runtime.plugin.TestPackages;

/**
 * The Java project {@code ar new-plugin} writes, built with Maven (offline, against this tree's SDK) and run
 * under the runtime; its own test runs once the SDK's test harness (plugin-sdk-testing) is built in this tree.
 */
class JavaPluginScaffoldTest {
    private static final String VERSION = RuntimeVersion.current();
    private static final Pattern HARNESS_DEPENDENCY =
            Pattern.compile("\\s*<dependency>(?:(?!</dependency>).)*?plugin-sdk-testing.*?</dependency>", Pattern.DOTALL);

    @TempDir
    Path dir;
    private SdkMavenRepository maven;

    @BeforeEach
    void sdk() throws Exception {
        assumeTrue(Commands.onPath("mvn"), "mvn is not on the PATH");
        maven = SdkMavenRepository.withThisTreesSdk(Files.createDirectories(dir.resolve("m2")), VERSION);
    }

    @Test
    void theJarPackagesAndChecksDiskSpaceUnderTheRuntime() throws Exception {
        Commands.ar(dir, "new-plugin", "disk-check");
        Path project = dir.resolve("disk-check");
        if (!harnessBuilt()) {
            // Until plugin-sdk-testing is built here, the generated test cannot compile: package without it.
            Path pom = project.resolve("pom.xml");
            String withoutHarness = HARNESS_DEPENDENCY.matcher(Files.readString(pom)).replaceAll("");
            assertTrue(!withoutHarness.contains("plugin-sdk-testing"), withoutHarness);
            Files.writeString(pom, withoutHarness);
            deleteTree(project.resolve("src/test"));
        } else {
            installHarness();
        }
        maven.mvn(project, "package", "-DskipTests");
        Path jar = project.resolve("target/disk-check.jar");
        assertTrue(Files.isRegularFile(jar), "mvn package gives target/NAME.jar");

        new TestPackages(dir.resolve("plugins")).jar("disk-check", "0.1.0", jar);
        DiskCheckRun.assertChecksUnderTheRuntime(dir, "disk-check", dir.toRealPath());
        DiskCheckRun.assertChecksWithRunPlugin(dir, jar, dir.toRealPath());
    }

    @Test
    void theGeneratedTestPassesWithTheHarness() throws Exception {
        assumeTrue(harnessBuilt(), "plugin-sdk-testing is not built in this tree (plugin-sdk-testing/target/"
                + "plugin-sdk-testing-" + VERSION + ".jar)");
        installHarness();
        Commands.ar(dir, "new-plugin", "disk-check");
        String out = maven.mvn(dir.resolve("disk-check"), "test");
        assertTrue(!out.contains("Tests run: 0"), out);
        assertTrue(Files.isRegularFile(dir.resolve(
                "disk-check/target/surefire-reports/TEST-com.example.diskcheck.DiskCheckPluginTest.xml")), out);
    }

    private static boolean harnessBuilt() {
        return Files.isRegularFile(Commands.repoRoot().resolve(
                "plugin-sdk-testing/target/plugin-sdk-testing-" + VERSION + ".jar"));
    }

    private void installHarness() throws Exception {
        maven.install(SdkMavenRepository.builtJar("plugin-sdk-testing", VERSION),
                Commands.repoRoot().resolve("plugin-sdk-testing/pom.xml"), "jar");
    }

    private static void deleteTree(Path root) throws Exception {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
