package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.ccf.ar.proto.EvaluateInput;

/** The JVM flags a Java plugin gets: the defaults (with the native-heap trim where the JVM has it) or the operator's. */
class JavaPluginCommandTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"17.0.8, false", "17.0.9, true", "17.0.21.1, true", "19.0.2, false", "21, false", "21.0.1, true",
            "22, true", "25.0.3, true"})
    void theNativeHeapTrimOnlyOnJvmsThatHaveIt(String version, boolean expected) {
        assertEquals(expected, JavaRelease.hasNativeHeapTrim(Runtime.Version.parse(version)));
    }

    @Test
    void theSampleRunsWithTheDefaultFlagsAndTheTrimOnThisJvm() throws Exception {
        assumeTrue(JavaRelease.version(PluginHostOptions.defaults().javaCommand()).map(JavaRelease::hasNativeHeapTrim)
                .orElse(false), "this JVM has no -XX:TrimNativeHeapInterval");
        List<String> arguments = runSample(PluginHostOptions.defaults());
        assertTrue(arguments.containsAll(PluginHostOptions.DEFAULT_JVM_OPTIONS), arguments.toString());
        assertTrue(arguments.contains(JavaPluginCommand.NATIVE_HEAP_TRIM), arguments.toString());
    }

    @Test
    void configuredFlagsReplaceAllDefaults() throws Exception {
        List<String> arguments = runSample(PluginHostOptions.builder().jvmOptions(List.of("-Xmx64m")).build());
        assertTrue(arguments.contains("-Xmx64m"), arguments.toString());
        assertFalse(arguments.stream().anyMatch(a -> a.startsWith("-XX:TrimNativeHeapInterval") || a.equals("-Xmn4m")),
                arguments.toString());
    }

    /** Starts the sample jar, checks that it answers, returns its JVM's arguments. */
    private List<String> runSample(PluginHostOptions options) {
        TestPackages packages = new TestPackages(dir);
        PackageRef ref = packages.jar("sample", "1.0.0", TestPackages.sampleJar());
        try (PluginManager manager = new PluginManager(packages.layout(), options)) {
            Map<PackageRef, PluginException> failures = manager.start(List.of(new PluginSpec("p", ref, Map.of())));
            assertTrue(failures.isEmpty(), failures.toString());
            assertEquals(3, manager.evaluate("p", EvaluateInput.getDefaultInstance()).getSubjectsCount());
            ProcessHandle.Info info = ProcessHandle.of(manager.client("p").pid().orElseThrow()).orElseThrow().info();
            return List.of(info.arguments().orElseThrow());
        }
    }
}
