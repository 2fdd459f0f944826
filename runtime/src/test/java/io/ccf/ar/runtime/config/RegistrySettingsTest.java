package io.ccf.ar.runtime.config;

import static io.ccf.ar.runtime.config.TestFiles.problemsOf;
import static io.ccf.ar.runtime.config.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code registry:} section of config.yml. */
class RegistrySettingsTest {
    @TempDir
    Path dir;

    private final RuntimeConfigLoader loader = new RuntimeConfigLoader(Map.of(), () -> "h");

    @Test
    void absentMeansNone() {
        assertEquals(RegistrySettings.NONE, loader.load(write(dir, "config.yml", "")).registry());
    }

    @Test
    void pathsResolveBesideTheConfigFile() {
        write(dir, "pw", "secret\n");
        write(dir, "docker.json", "{}");
        write(dir, "k.pub", "key");
        RegistrySettings r = loader.load(write(dir, "config.yml", """
                registry:
                  username: reader
                  passwordFile: pw
                  dockerConfig: docker.json
                  trustedKeys: [k.pub]
                """)).registry();
        Path base = dir.toAbsolutePath();
        assertEquals(new RegistrySettings(Optional.of(base.resolve("docker.json")), "reader", Optional.of(base.resolve("pw")),
                Optional.empty(), List.of(base.resolve("k.pub"))), r);
    }

    @Test
    void problemsNameTheKey() {
        Path file = write(dir, "config.yml", """
                registry:
                  username: reader
                  tokenFile: missing-token
                  trustedKeys: [nope.pub]
                  password: inline
                """);
        String all = String.join("\n", problemsOf(() -> loader.load(file)));
        assertTrue(all.contains("registry.username: needs registry.passwordFile as well"), all);
        assertTrue(all.contains("registry.tokenFile: no such file"), all);
        assertTrue(all.contains("registry.tokenFile: set either registry.tokenFile or registry.username"), all);
        assertTrue(all.contains("registry.trustedKeys[0]: no such file"), all);
        assertTrue(all.contains("password"), all);
    }
}
