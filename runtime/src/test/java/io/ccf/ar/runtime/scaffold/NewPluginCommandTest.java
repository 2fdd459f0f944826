package io.ccf.ar.runtime.scaffold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.fleet.RuntimeVersion;
import io.ccf.ar.runtime.testing.CliProcess;

/** {@code ar new-plugin} as a real process: what it writes, and what it refuses. */
class NewPluginCommandTest {
    /** A template variable left unreplaced (Maven's dotted properties and shell expansions are not variables). */
    private static final Pattern LEFT_OVER = Pattern.compile("\\$\\{(name|className|javaPackage|packagePath|artifactId"
            + "|goModule|version)}");

    @TempDir
    Path dir;

    @Test
    void writesAJavaProjectNamedAfterThePackage() throws Exception {
        List<String> out = Commands.ar(dir, "new-plugin", "disk-check");
        Path project = dir.resolve("disk-check");
        assertTrue(out.get(0).startsWith("wrote the java plugin disk-check into disk-check"), out.toString());
        Path plugin = project.resolve("src/main/java/com/example/diskcheck/DiskCheckPlugin.java");
        assertTrue(Files.readString(plugin).contains("public final class DiskCheckPlugin implements Provider"));
        assertTrue(Files.readString(project.resolve("src/test/java/com/example/diskcheck/DiskCheckPluginTest.java"))
                .contains("PluginHarness.forProvider(DiskCheckPlugin.class)"));
        String pom = Files.readString(project.resolve("pom.xml"));
        assertTrue(pom.contains("<ar.sdk.version>" + RuntimeVersion.current() + "</ar.sdk.version>"), pom);
        assertTrue(pom.contains("<finalName>disk-check</finalName>"), pom);
        assertTrue(pom.contains("<mainClass>com.example.diskcheck.DiskCheckPlugin</mainClass>"), pom);
        assertTrue(Files.readString(project.resolve("README.md"))
                .contains("ar publish disk-check@0.1.0 target/disk-check.jar --to DIR"));
        assertNoVariableLeft(project, 5);
    }

    @Test
    void writesAGoProjectWithTheWireContract() throws Exception {
        Commands.ar(dir, "new-plugin", "disk-check", "--lang", "GO", "--dir", "go/here");
        Path project = dir.resolve("go/here");
        assertEquals(Files.readString(Commands.repoRoot().resolve("proto/src/main/proto/plugin/job.proto")),
                Files.readString(project.resolve("proto/plugin/job.proto")));
        assertTrue(Files.isExecutable(project.resolve("build.sh")));
        assertTrue(Files.readString(project.resolve("go.mod")).contains("module disk-check\n"));
        assertTrue(Files.readString(project.resolve("main.go")).contains("pb \"disk-check/proto\""));
        assertNoVariableLeft(project, 7);
    }

    @Test
    void namesThatAreNoJavaIdentifiersStillGiveAProject() throws Exception {
        Commands.ar(dir, "new-plugin", "7zip+int");
        Path project = dir.resolve("7zip+int");
        assertTrue(Files.isRegularFile(project.resolve("src/main/java/com/example/_7zipint/Plugin7zipInt.java")));
        String pom = Files.readString(project.resolve("pom.xml"));
        assertTrue(pom.contains("<artifactId>7zip-int</artifactId>"), "Maven refuses '+' in an artifactId");
        assertTrue(pom.contains("<finalName>7zip+int</finalName>"), pom);
    }

    @Test
    void refusesANameTheRuntimeWouldNotInstall() throws Exception {
        for (String bad : List.of("../up", "a/b", ".hidden", "a..b")) {
            String err = refused("new-plugin", bad, "--dir", "out");
            assertTrue(err.contains("is not a plain name"), err);
            assertFalse(Files.exists(dir.resolve("out")), bad);
        }
    }

    @Test
    void refusesADirectoryThatIsNotEmptyAndLeavesItAlone() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "keep me");
        String err = refused("new-plugin", "disk-check", "--dir", "mine");
        assertTrue(err.contains("mine exists and is not empty"), err);
        try (Stream<Path> files = Files.list(mine)) {
            assertEquals(List.of(mine.resolve("notes.txt")), files.toList());
        }
        Files.createDirectories(dir.resolve("empty"));
        Commands.ar(dir, "new-plugin", "disk-check", "--dir", "empty");
        assertTrue(Files.isRegularFile(dir.resolve("empty/pom.xml")), "an empty directory is fine");
    }

    @Test
    void refusesAnUnknownLanguage() throws Exception {
        String err = refused("new-plugin", "disk-check", "--lang", "rust");
        assertTrue(err.contains("unknown language 'rust': use one of java, go"), err);
    }

    private String refused(String... args) throws Exception {
        try (CliProcess ar = CliProcess.start(dir, args)) {
            assertEquals(2, ar.waitFor(Commands.AR_TIMEOUT), ar.stderr().toString());
            return String.join("\n", ar.stderr());
        }
    }

    private static void assertNoVariableLeft(Path project, int files) throws Exception {
        try (Stream<Path> walk = Files.walk(project)) {
            List<Path> written = walk.filter(Files::isRegularFile).toList();
            assertEquals(files, written.size(), written.toString());
            for (Path f : written) {
                assertFalse(LEFT_OVER.matcher(Files.readString(f)).find(), f + " keeps a template variable");
            }
        }
    }
}
