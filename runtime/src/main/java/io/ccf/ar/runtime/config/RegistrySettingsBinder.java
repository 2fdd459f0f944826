package io.ccf.ar.runtime.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Binds {@code registry:} (see {@link RegistrySettings}); kept apart so the main binder stays small. */
final class RegistrySettingsBinder {
    private RegistrySettingsBinder() {
    }

    static RegistrySettings bind(MappingReader r, Path base) {
        Optional<Path> dockerConfig = file(r, "dockerConfig", base);
        String username = r.string("username", "").strip();
        Optional<Path> passwordFile = file(r, "passwordFile", base);
        Optional<Path> tokenFile = file(r, "tokenFile", base);
        if (!username.isEmpty() && passwordFile.isEmpty() && r.has("username")) {
            r.problems().add(r.positionOf("username"), r.path("username"), "needs registry.passwordFile as well");
        }
        if (username.isEmpty() && passwordFile.isPresent()) {
            r.problems().add(r.positionOf("passwordFile"), r.path("passwordFile"), "needs registry.username as well");
        }
        if (tokenFile.isPresent() && !username.isEmpty()) {
            r.problems().add(r.positionOf("tokenFile"), r.path("tokenFile"),
                    "set either registry.tokenFile or registry.username + registry.passwordFile, not both");
        }
        List<Path> keys = new ArrayList<>();
        List<String> texts = r.stringList("trustedKeys");
        for (int i = 0; i < texts.size(); i++) {
            String where = r.path("trustedKeys") + "[" + i + "]";
            try {
                Path p = base.resolve(texts.get(i).strip()).normalize();
                if (!Files.isRegularFile(p)) {
                    r.problems().add(r.positionOf("trustedKeys"), where, "no such file: " + p);
                }
                keys.add(p);
            } catch (InvalidPathException e) {
                r.problems().add(r.positionOf("trustedKeys"), where, "not a valid path: " + e.getReason());
            }
        }
        return new RegistrySettings(dockerConfig, username, passwordFile, tokenFile, keys);
    }

    /** A file that must exist (its content is read later, when the registry is opened). */
    private static Optional<Path> file(MappingReader r, String key, Path base) {
        String text = r.string(key, "").strip();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            Path p = base.resolve(text.startsWith("~/") ? System.getProperty("user.home") + text.substring(1) : text).normalize();
            if (!Files.isRegularFile(p)) {
                r.problems().add(r.positionOf(key), r.path(key), "no such file: " + p);
            }
            return Optional.of(p);
        } catch (InvalidPathException e) {
            r.problems().add(r.positionOf(key), r.path(key), "not a valid path: " + e.getReason());
            return Optional.empty();
        }
    }
}
