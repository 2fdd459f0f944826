package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line of a Java plugin: {@code pluginHost.java} (default: the runtime's own java), the JVM
 * options, the class-data file that fits that JVM, {@code -jar}. On JDK 25 and later the AOT cache
 * trained for exactly this jar (by its SHA-256) when there is one, else the AppCDS archive when there is
 * one: either roughly halves the JVM's start. The AppCDS archive is written by the runtime's own JVM
 * ({@code ClassDataArchiveTrainer}), so it is passed only to a plugin JVM of the same feature release: any other
 * refuses it with a warning on every launch.
 */
final class JavaPluginCommand {
    private static final Logger log = LoggerFactory.getLogger(JavaPluginCommand.class);

    /**
     * How often a plugin's JVM gives the C heap that glibc keeps after a free back to the system: C2's
     * compilations under load leave 20-25 MB of it otherwise (docs/benchmarks.md, "Plugin RSS"). A trim with
     * little to give back takes well under a millisecond.
     */
    static final String NATIVE_HEAP_TRIM = "-XX:TrimNativeHeapInterval=2000";

    private final PluginHostOptions options;
    private final boolean aotCapable;
    private final boolean runtimesRelease;
    private final List<String> jvmOptions;

    JavaPluginCommand(PluginHostOptions options) {
        this.options = options;
        this.aotCapable = ClassDataFiles.supportsAotCache(options.javaCommand());
        this.runtimesRelease = isRuntimesRelease(options.javaCommand());
        this.jvmOptions = jvmOptions(options);
    }

    /** The configured flags, or the defaults and, on a JVM that has it (an older one would not start), the trim. */
    private static List<String> jvmOptions(PluginHostOptions options) {
        if (!options.defaultJvmOptions()) {
            return options.jvmOptions();
        }
        List<String> flags = new ArrayList<>(options.jvmOptions());
        if (JavaRelease.version(options.javaCommand()).map(JavaRelease::hasNativeHeapTrim).orElse(false)) {
            flags.add(NATIVE_HEAP_TRIM);
        }
        return List.copyOf(flags);
    }

    /** The runtime's own java, or one of the same feature release (an unreadable release counts as another). */
    private static boolean isRuntimesRelease(Path java) {
        if (ProcessHandle.current().info().command().map(Path::of).filter(java::equals).isPresent()) {
            return true;
        }
        OptionalInt feature = JavaRelease.featureVersion(java);
        return feature.isPresent() && feature.getAsInt() == Runtime.version().feature();
    }

    List<String> command(PluginPackage pkg) {
        List<String> cmd = new ArrayList<>();
        cmd.add(options.javaCommand().toString());
        // JVM warnings go to stdout by default and would break the handshake: send them to stderr.
        cmd.add("-Xlog:disable");
        cmd.add("-Xlog:all=warning:stderr");
        cmd.addAll(jvmOptions);
        cmd.addAll(classDataOptions(pkg));
        cmd.add("-jar");
        cmd.add(pkg.file().toString());
        return cmd;
    }

    private List<String> classDataOptions(PluginPackage pkg) {
        if (options.jvmOptions().stream().anyMatch(JavaPluginCommand::isClassDataOption)) {
            return List.of(); // the operator's own archive (or the trainer's output) wins
        }
        if (aotCapable) {
            try {
                Path cache = ClassDataFiles.aotCache(pkg.ref(), pkg.file(), options.fileHasher().sha256Hex(pkg.file()));
                if (Files.isRegularFile(cache)) {
                    return List.of("-XX:AOTCache=" + cache);
                }
            } catch (IOException e) {
                log.atDebug().addKeyValue("package", pkg.ref().toString())
                        .log("cannot hash {} to find its AOT cache: {}", pkg.file(), e.getMessage());
            }
        }
        Path archive = ClassDataFiles.appCdsArchive(pkg.ref(), pkg.file());
        if (runtimesRelease && Files.isRegularFile(archive)) {
            return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto");
        }
        return List.of();
    }

    private static boolean isClassDataOption(String option) {
        return option.startsWith("-XX:SharedArchiveFile") || option.startsWith("-XX:ArchiveClassesAtExit")
                || option.startsWith("-XX:AOTCache") || option.startsWith("-XX:AOTMode") || option.startsWith("-Xshare:");
    }
}
