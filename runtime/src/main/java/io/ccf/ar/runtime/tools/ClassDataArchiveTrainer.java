package io.ccf.ar.runtime.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.runtime.files.FileHasher;
import io.ccf.ar.runtime.plugin.ClassDataFiles;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.plugin.PluginPackage;
import io.ccf.ar.runtime.plugin.PluginSpec;

/**
 * Writes a Java plugin's class-data file beside its jar by running the plugin once under the real host
 * (start with auto-mTLS, Evaluate, Execute per subject, stop):
 * <ul>
 * <li>without JAVA, or with a JAVA before JDK 25: {@code <package>.jsa}, a dynamic AppCDS archive
 *     ({@code -XX:ArchiveClassesAtExit}) for that JVM;</li>
 * <li>with a JAVA of JDK 25 or later: {@code <package>-<jar sha256, 16 hex>.aot}, an AOT cache
 *     ({@code -XX:AOTCacheOutput}, one-step training), for hosts whose {@code pluginHost.java} is that JVM;
 *     caches trained for earlier jars of the package are deleted.</li>
 * </ul>
 * Either roughly halves the plugin JVM's start. Both are tied to the JDK that wrote them and the AppCDS
 * archive to the jar's path: retrain whenever the jar or the JDK changes ({@code make build} does).
 *
 * <p>Usage: {@code java -cp ar.jar io.ccf.ar.runtime.tools.ClassDataArchiveTrainer PLUGINS_DIR PACKAGE VERSION [JAVA]}
 */
public final class ClassDataArchiveTrainer {
    private ClassDataArchiveTrainer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: ClassDataArchiveTrainer PLUGINS_DIR PACKAGE VERSION [JAVA]");
            System.exit(2);
        }
        Path output = train(new PackageLayout(Path.of(args[0])), new PackageRef(args[1], args[2]),
                args.length == 4 ? Optional.of(Path.of(args[3])) : Optional.empty());
        System.err.println("wrote " + output + " (" + Files.size(output) / 1024 + " KiB)");
    }

    /**
     * Trains the class-data file of {@code ref} for {@code java} (default: this JVM's) and returns it.
     *
     * @throws IllegalStateException when the plugin ran but no file was written
     */
    public static Path train(PackageLayout layout, PackageRef ref, Optional<Path> java) throws IOException {
        PluginPackage pkg = layout.resolve(ref);
        PluginHostOptions.Builder options = PluginHostOptions.builder()
                .stopTimeout(Duration.ofSeconds(60)); // the archive is written while the JVM exits
        java.ifPresent(options::javaCommand);
        List<String> jvm = new ArrayList<>(PluginHostOptions.DEFAULT_JVM_OPTIONS);
        Path output;
        if (java.isPresent() && ClassDataFiles.supportsAotCache(java.get())) {
            output = ClassDataFiles.aotCache(ref, pkg.file(), FileHasher.readSha256Hex(pkg.file()));
            deleteAotCaches(pkg);
            jvm.add("-XX:AOTCacheOutput=" + output);
        } else {
            output = ClassDataFiles.appCdsArchive(ref, pkg.file());
            Files.deleteIfExists(output);
            jvm.add("-XX:ArchiveClassesAtExit=" + output);
        }
        try (PluginManager manager = new PluginManager(layout, options.jvmOptions(jvm).build())) {
            var failures = manager.start(List.of(new PluginSpec("train", ref, Map.of())));
            if (!failures.isEmpty()) {
                throw failures.values().iterator().next();
            }
            EvaluateResult evaluated = manager.evaluate("train", EvaluateInput.getDefaultInstance());
            for (Subject subject : evaluated.getSubjectsList()) {
                manager.execute("train", ExecuteInput.newBuilder().setSubject(subject)
                        .putAllProps(evaluated.getPropsMap()).build());
            }
        }
        if (!Files.isRegularFile(output)) {
            throw new IllegalStateException("nothing was written at " + output + " (see the plugin's log above)");
        }
        return output;
    }

    /** AOT caches of this package version, trained for this jar or earlier ones: none may outlive its jar. */
    private static void deleteAotCaches(PluginPackage pkg) throws IOException {
        try (Stream<Path> files = Files.list(pkg.file().getParent())) {
            for (Path file : files.filter(f -> ClassDataFiles.isAotCacheOf(pkg.ref(), f)).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
