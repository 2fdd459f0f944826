package io.ccf.ar.runtime.scaffold;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import javax.lang.model.SourceVersion;

import io.ccf.ar.runtime.plugin.PackageRef;

/**
 * The names a new plugin project derives from its package name, e.g. {@code disk-check}: class
 * {@code DiskCheckPlugin} in Java package {@code com.example.diskcheck}, Maven artifact and Go module
 * {@code disk-check}.
 *
 * @param name the package name, as the runtime installs and runs it
 * @param className the Java provider class
 * @param javaPackage the Java package of that class
 * @param artifactId the Maven artifactId (Maven refuses '+')
 * @param goModule the Go module and import path (Go refuses '+' in module paths)
 */
public record PluginNames(String name, String className, String javaPackage, String artifactId, String goModule) {
    private static final String PACKAGE_PREFIX = "com.example.";

    /** Derives the names; refuses what the runtime would refuse as a package name (its {@link PackageRef} rule). */
    public static PluginNames of(String name) {
        try {
            new PackageRef(name, "0.1.0");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ": the plugin's name is the package name it is"
                    + " published and installed under, e.g. disk-check");
        }
        String[] words = Arrays.stream(name.split("[^A-Za-z0-9]+")).filter(w -> !w.isEmpty()).toArray(String[]::new);
        String camel = Arrays.stream(words).map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1))
                .collect(Collectors.joining());
        String className = Character.isDigit(camel.charAt(0)) ? "Plugin" + camel : camel + "Plugin";
        String lastPart = String.join("", words).toLowerCase(Locale.ROOT);
        if (!SourceVersion.isName(PACKAGE_PREFIX + lastPart)) {
            lastPart = "_" + lastPart; // a keyword (int) or a leading digit (7zip)
        }
        String plain = name.replace('+', '-');
        return new PluginNames(name, className, PACKAGE_PREFIX + lastPart, plain, plain);
    }

    /** The template variables: {@code ${name}}, {@code ${className}}, {@code ${javaPackage}}, ... */
    Map<String, String> variables() {
        return Map.of("name", name, "className", className, "javaPackage", javaPackage,
                "packagePath", javaPackage.replace('.', '/'), "artifactId", artifactId, "goModule", goModule);
    }
}
