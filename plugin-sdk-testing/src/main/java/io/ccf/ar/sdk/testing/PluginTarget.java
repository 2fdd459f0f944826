package io.ccf.ar.sdk.testing;

import io.ccf.ar.sdk.Provider;
import io.ccf.ar.sdk.ProviderLauncher;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * What the harness runs: a provider class on this JVM's class path (through the SDK's
 * {@link ProviderLauncher}), a plugin jar ({@code java -jar}) or a native executable.
 *
 * @param kind how the plugin is started
 * @param target the provider's class name, or the jar's or executable's path
 * @param defaultName the plugin's name unless the builder sets one
 */
record PluginTarget(Kind kind, String target, String defaultName) {
    /** How a plugin is started. */
    enum Kind { PROVIDER, JAR, EXECUTABLE }

    static PluginTarget provider(Class<? extends Provider> type) {
        if (type == null) {
            throw new NullPointerException("provider class");
        }
        if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException("provider class " + type.getName()
                    + " must be public and concrete: the plugin process creates it by name");
        }
        try {
            type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("provider class " + type.getName()
                    + " needs a public no-argument constructor: the plugin process creates it with that");
        }
        return new PluginTarget(Kind.PROVIDER, type.getName(), type.getSimpleName());
    }

    static PluginTarget jar(Path jar) {
        String file = jar.getFileName().toString();
        return new PluginTarget(Kind.JAR, jar.toAbsolutePath().toString(),
                file.endsWith(".jar") ? file.substring(0, file.length() - 4) : file);
    }

    static PluginTarget executable(Path executable) {
        return new PluginTarget(Kind.EXECUTABLE, executable.toAbsolutePath().toString(),
                executable.getFileName().toString());
    }

    /**
     * The command line.
     *
     * @throws IllegalStateException if the jar or executable is not there
     */
    List<String> command(List<String> jvmOptions, String name) {
        List<String> command = new ArrayList<>();
        switch (kind) {
            case PROVIDER -> {
                command.add(javaLauncher());
                command.addAll(jvmOptions);
                command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                        ProviderLauncher.class.getName(), target, name));
            }
            case JAR -> {
                if (!Files.isRegularFile(Paths.get(target))) {
                    throw new IllegalStateException("plugin jar " + target + " does not exist; build it first"
                            + " (mvn package), or run this test after the package phase");
                }
                command.add(javaLauncher());
                command.addAll(jvmOptions);
                command.addAll(List.of("-jar", target));
            }
            case EXECUTABLE -> {
                if (!Files.isExecutable(Paths.get(target))) {
                    throw new IllegalStateException("plugin executable " + target
                            + " does not exist or is not executable; build it first");
                }
                command.add(target);
            }
            default -> throw new IllegalStateException(kind.name());
        }
        return command;
    }

    /** The java launcher running this JVM. */
    private static String javaLauncher() {
        return ProcessHandle.current().info().command()
                .orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    }
}
