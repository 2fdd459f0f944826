package io.ccf.ar.runtime.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.plugin.PluginSpec;

/**
 * Writes {@code <package>.jsa}, a dynamic class-data-sharing archive, beside a Java plugin's jar:
 * runs the plugin once under the real host (start, Evaluate, Execute per subject, stop) with
 * {@code -XX:ArchiveClassesAtExit}. The host then launches the plugin with the archive, which
 * roughly halves JVM start-up. The archive is tied to the jar's path and to this JDK: regenerate
 * it whenever either changes ({@code make build} does).
 *
 * <p>Usage: {@code java -cp ar.jar io.ccf.ar.runtime.tools.ClassDataArchiveTrainer PLUGINS_DIR PACKAGE VERSION}
 */
public final class ClassDataArchiveTrainer {
    private ClassDataArchiveTrainer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ClassDataArchiveTrainer PLUGINS_DIR PACKAGE VERSION");
            System.exit(2);
        }
        PackageLayout layout = new PackageLayout(Path.of(args[0]));
        PackageRef ref = new PackageRef(args[1], args[2]);
        Path archive = layout.versionDir(ref).resolve(ref.name() + ".jsa");
        Files.deleteIfExists(archive);
        List<String> jvm = new ArrayList<>(PluginHostOptions.DEFAULT_JVM_OPTIONS);
        jvm.add("-XX:ArchiveClassesAtExit=" + archive);
        PluginHostOptions options = PluginHostOptions.builder()
                .jvmOptions(jvm)
                .stopTimeout(Duration.ofSeconds(60)) // the archive is written while the JVM exits
                .build();
        try (PluginManager manager = new PluginManager(layout, options)) {
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
        if (!Files.isRegularFile(archive)) {
            System.err.println("no archive was written at " + archive + " (see the plugin's log above)");
            System.exit(1);
        }
        System.err.println("wrote " + archive + " (" + Files.size(archive) / 1024 + " KiB)");
    }
}
