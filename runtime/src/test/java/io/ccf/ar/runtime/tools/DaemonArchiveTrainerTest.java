package io.ccf.ar.runtime.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ccf.ar.runtime.Main;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's class-data archive through the real launcher ({@code runtime/src/dist/ar}) and a real daemon
 * running the sample plugin: trained, then mapped by the next start, then ignored without a word once the jar
 * changed. The launcher runs {@code lib/ar.jar}: here a jar of this module's classes whose manifest names the
 * dependency jars of the test class path (the shaded jar is made after the tests).
 */
class DaemonArchiveTrainerTest {
    @Test
    void theLauncherMapsTheTrainedArchiveAndRunsWithoutItOnceTheJarChanged(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path jar = runtimeJar(Files.createDirectories(bin.resolve("lib")).resolve("ar.jar"));
        Path launcher = Files.copy(Path.of(System.getProperty("ar.repoRoot", "..")).resolve("runtime/src/dist/ar"),
                bin.resolve("ar"));
        assertTrue(launcher.toFile().setExecutable(true));
        Path sample = Path.of(System.getProperty("ar.sampleJar", "../sample-plugin/target/sample.jar"));
        Files.copy(sample, Files.createDirectories(bin.resolve("plugins/sample/1.0.0")).resolve("sample.jar"));

        Path archive = DaemonArchiveTrainer.train(List.of(launcher.toString()), bin.resolve("plugins"), "sample", "1.0.0",
                bin.resolve("lib/ar.jsa"));

        assertEquals(bin.resolve("lib/ar.jsa"), archive);
        assertTrue(Files.size(archive) > 1 << 20, "archive of " + Files.size(archive) + " bytes");
        // the next start maps it: the daemon's own classes come from the archive (the dynamic "top" layer)
        Run mapped = version(launcher, dir.resolve("classes-1.log"));
        assertEquals(0, mapped.exitCode, mapped.output);
        assertTrue(mapped.classes.contains(Main.class.getName() + " source: shared objects file (top)"),
                "Main not from the archive");
        // a rebuilt jar: the JVM refuses the archive, the launcher keeps quiet about it, the daemon runs
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
        Run stale = version(launcher, dir.resolve("classes-2.log"));
        assertEquals(0, stale.exitCode, stale.output);
        assertTrue(stale.classes.contains(Main.class.getName() + " source: file:"), "Main not from the jar");
        assertFalse(stale.output.contains("cds"), stale.output);
        assertTrue(stale.output.startsWith("ar "), stale.output);
    }

    private record Run(int exitCode, String output, String classes) {
    }

    private static Run version(Path launcher, Path classLog) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--version").redirectErrorStream(true);
        pb.environment().put("JAVA", ProcessHandle.current().info().command().orElse("java"));
        pb.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + classLog);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .replaceAll("(?m)^Picked up JAVA_TOOL_OPTIONS:.*\\n", "");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), output, Files.readString(classLog));
    }

    /** This module's classes in a jar whose manifest runs Main on the test class path's jars. */
    private static Path runtimeJar(Path jar) throws IOException {
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<String> libs = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && !entry.contains("junit") && !entry.contains("opentest4j")) {
                libs.add(Path.of(entry).toUri().toString());
            }
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", libs));
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }
}
