package io.ccf.ar.runtime.scaffold;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a new plugin project from the templates under {@code io/ccf/ar/runtime/scaffold/<language>/}: the
 * {@code files} list there says which template becomes which file ({@code SOURCE TARGET [executable]}); both
 * the target path and the content get {@code ${name}}, {@code ${className}}, {@code ${version}}... replaced.
 */
public final class ProjectScaffold {
    private final SdkVersions versions;

    public ProjectScaffold(SdkVersions versions) {
        this.versions = versions;
    }

    /**
     * Writes the project into {@code dir} (created if missing) and returns the files written, relative to it.
     *
     * @throws IllegalArgumentException if {@code dir} is a file or a directory that is not empty
     */
    public List<Path> write(Path dir, PluginNames names, PluginLanguage language) {
        requireEmptyOrAbsent(dir);
        Map<String, String> variables = new HashMap<>(names.variables());
        variables.putAll(versions.variables());
        List<Path> written = new ArrayList<>();
        try {
            for (TemplateFile file : TemplateFile.listed(language)) {
                Path target = dir.resolve(TemplateText.render(file.target(), variables)).normalize();
                if (!target.startsWith(dir.normalize())) {
                    throw new IllegalStateException("template target " + file.target() + " leaves the project");
                }
                Files.createDirectories(target.getParent());
                Files.writeString(target, TemplateText.render(file.content(), variables), StandardCharsets.UTF_8);
                if (file.executable() && !target.toFile().setExecutable(true, false)) {
                    throw new IOException("cannot make " + target + " executable");
                }
                written.add(dir.relativize(target));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the project into " + dir + ": " + e.getMessage(), e);
        }
        return written;
    }

    private static void requireEmptyOrAbsent(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " exists and is not a directory; choose another --dir");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException(dir + " exists and is not empty; not writing a project over it"
                        + " (choose another --dir, or remove it)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /** One line of a template directory's {@code files} list, with the template's text. */
    record TemplateFile(String target, String content, boolean executable) {

        static List<TemplateFile> listed(PluginLanguage language) throws IOException {
            List<TemplateFile> files = new ArrayList<>();
            for (String line : resource(language, "files").split("\n")) {
                String entry = line.strip();
                if (entry.isEmpty() || entry.startsWith("#")) {
                    continue;
                }
                String[] parts = entry.split("\\s+");
                if (parts.length < 2 || parts.length > 3 || (parts.length == 3 && !parts[2].equals("executable"))) {
                    throw new IllegalStateException("bad line in the " + language.id() + " template list: " + entry);
                }
                files.add(new TemplateFile(parts[1], resource(language, parts[0]), parts.length == 3));
            }
            return files;
        }

        private static String resource(PluginLanguage language, String name) throws IOException {
            String path = language.id() + "/" + name;
            try (InputStream in = ProjectScaffold.class.getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException("template " + path + " is missing from the runtime's jar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }
}
