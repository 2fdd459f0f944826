package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageLayoutTest {
    @TempDir
    Path dir;

    @Test
    void prefersExecutableNamedAfterPackageThenPluginThenJar() throws Exception {
        PackageLayout layout = new PackageLayout(dir);
        PackageRef ref = new PackageRef("busy", "1.0.0");
        Path version = Files.createDirectories(layout.versionDir(ref));
        Files.writeString(version.resolve("busy.jar"), "jar");
        assertEquals(PluginPackage.Kind.JAR, layout.resolve(ref).kind());

        Path plugin = Files.writeString(version.resolve("plugin"), "#!/bin/sh\n");
        plugin.toFile().setExecutable(true);
        assertEquals(plugin, layout.resolve(ref).file());

        Path named = Files.writeString(version.resolve("busy"), "#!/bin/sh\n");
        named.toFile().setExecutable(true);
        PluginPackage pkg = layout.resolve(ref);
        assertEquals(named, pkg.file());
        assertEquals(PluginPackage.Kind.EXECUTABLE, pkg.kind());
        assertEquals(List.of(ref), layout.installed());
    }

    @Test
    void missingPackageSaysWhereItLooked() throws Exception {
        PackageLayout layout = new PackageLayout(dir);
        PluginNotFoundException e = assertThrows(PluginNotFoundException.class,
                () -> layout.resolve(new PackageRef("nope", "2.0")));
        assertTrue(e.getMessage().contains("nope@2.0 is not installed"), e.getMessage());
        assertTrue(e.getMessage().contains("[nope, plugin, nope.jar]"), e.getMessage());
        assertTrue(e.getMessage().contains("no such directory"), e.getMessage());

        Files.createDirectories(dir.resolve("nope/2.0"));
        Files.writeString(dir.resolve("nope/2.0/README"), "x");
        e = assertThrows(PluginNotFoundException.class, () -> layout.resolve(new PackageRef("nope", "2.0")));
        assertTrue(e.getMessage().contains("the directory holds: README"), e.getMessage());
    }

    @Test
    void nonExecutableFileIsExplained() throws Exception {
        PackageLayout layout = new PackageLayout(dir);
        PackageRef ref = new PackageRef("busy", "1.0.0");
        Files.createDirectories(layout.versionDir(ref));
        Files.writeString(layout.versionDir(ref).resolve("busy"), "binary");
        PluginNotFoundException e = assertThrows(PluginNotFoundException.class, () -> layout.resolve(ref));
        assertTrue(e.getMessage().contains("not executable"), e.getMessage());
    }

    @Test
    void traversalNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PackageRef("../etc", "1"));
        assertThrows(IllegalArgumentException.class, () -> new PackageRef("a/b", "1"));
        assertThrows(IllegalArgumentException.class, () -> new PackageRef("a", ".."));
        assertThrows(IllegalArgumentException.class, () -> new PackageRef("", "1"));
    }
}
