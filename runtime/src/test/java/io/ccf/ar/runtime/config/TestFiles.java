package io.ccf.ar.runtime.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.function.Executable;

/** Helpers shared by the config tests. */
final class TestFiles {
    private TestFiles() {
    }

    static Path write(Path dir, String name, String content) {
        try {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture under src/test/resources/config/. */
    static Path resource(String name) {
        try {
            return Path.of(TestFiles.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code action}, expects a ConfigException and returns its problems as printed. */
    static List<String> problemsOf(Executable action) {
        ConfigException e = assertThrows(ConfigException.class, action);
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }
}
