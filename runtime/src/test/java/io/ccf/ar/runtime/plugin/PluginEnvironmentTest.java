package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.proto.EvaluateInput;

/**
 * pluginHost.environment with real children: what a plugin process really got, read from
 * /proc/PID/environ. Surefire gives this JVM AR_TEST_DAEMON_SECRET, playing a registry or NATS secret.
 */
class PluginEnvironmentTest {
    private static final String SECRET = "AR_TEST_DAEMON_SECRET";

    @TempDir
    Path dir;
    private PluginManager manager;

    @BeforeAll
    static void daemonHasTheSecret() {
        assertEquals("s3cret", System.getenv(SECRET), "surefire sets " + SECRET + " (runtime/pom.xml)");
    }

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.stop();
        }
    }

    /** The environment the Go plugin child (a real go-plugin process) was started with. */
    private Map<String, String> childEnvironment(PluginEnvironment environment) throws Exception {
        PackageRef ref = new TestPackages(dir).executable("goplugin", "0.1.0", GoInterop.goPlugin());
        manager = new PluginManager(new TestPackages(dir).layout(), PluginHostOptions.builder().environment(environment).build());
        Map<PackageRef, PluginException> failures = manager.start(List.of(new PluginSpec("p", ref, Map.of())));
        assertTrue(failures.isEmpty(), failures.toString());
        assertEquals(3, manager.evaluate("p", EvaluateInput.getDefaultInstance()).getSubjectsCount());
        long pid = manager.client("p").pid().orElseThrow();
        Map<String, String> env = new HashMap<>();
        for (String entry : Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.UTF_8).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    private static void assertProtocolVariables(Map<String, String> env) {
        assertEquals(PluginHostOptions.COOKIE_VALUE, env.get(PluginHostOptions.COOKIE_KEY));
        assertEquals("1", env.get("PLUGIN_PROTOCOL_VERSIONS"));
        assertTrue(env.get("PLUGIN_CLIENT_CERT").startsWith("-----BEGIN CERTIFICATE-----"), env.toString());
        assertTrue(env.containsKey("PLUGIN_UNIX_SOCKET_DIR") && env.containsKey("TMPDIR"), env.toString());
    }

    @Test
    void byDefaultAPluginInheritsEverythingAsWithGoPlugin() throws Exception {
        Map<String, String> env = childEnvironment(PluginEnvironment.INHERIT_ALL);
        assertEquals("s3cret", env.get(SECRET));
        assertEquals(System.getenv("PATH"), env.get("PATH"));
        assertProtocolVariables(env);
    }

    @Test
    void anAllowListKeepsTheDaemonsSecretsAwayAndSetAndPackageExtrasAdd() throws Exception {
        Map<String, String> env = childEnvironment(new PluginEnvironment(false, List.of("PATH", "LANG*"), Map.of("PROXY_URL", "http://proxy:3128"),
                Map.of("goplugin", new PluginEnvironment.PackageExtras(List.of("HOME"), Map.of("ONLY_GO", "yes")),
                        "other", new PluginEnvironment.PackageExtras(List.of(SECRET), Map.of("ONLY_OTHER", "no")))));
        assertFalse(env.containsKey(SECRET), "the daemon's secret reached the plugin: " + env.keySet());
        assertEquals(System.getenv("PATH"), env.get("PATH"));
        assertEquals(System.getenv("HOME"), env.get("HOME"), "per-package inherit");
        assertEquals("http://proxy:3128", env.get("PROXY_URL"));
        assertEquals("yes", env.get("ONLY_GO"));
        assertFalse(env.containsKey("ONLY_OTHER"));
        assertProtocolVariables(env);
    }

    @Test
    void inheritNonePassesOnlyTheProtocolsVariables() throws Exception {
        Map<String, String> env = childEnvironment(PluginEnvironment.INHERIT_NONE);
        assertFalse(env.containsKey(SECRET));
        assertFalse(env.containsKey("PATH"));
        assertProtocolVariables(env);
        assertEquals(List.of(), env.keySet().stream().filter(k -> !k.startsWith("PLUGIN_") && !k.equals("TMPDIR")
                && !k.equals(PluginHostOptions.COOKIE_KEY)).toList());
    }

    @Test
    void prefixesMatchAndBadPatternsAreRefused() {
        PluginEnvironment env = new PluginEnvironment(false, List.of("LC_*", "HOME"), Map.of(), Map.of());
        assertEquals(Map.of("LC_ALL", "C", "HOME", "/h"),
                env.resolve("x", Map.of("LC_ALL", "C", "HOME", "/h", "HOMEX", "1", "NATS_TOKEN", "t")));
        assertThrows(IllegalArgumentException.class, () -> new PluginEnvironment(false, List.of("*"), Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new PluginEnvironment(false, List.of("A*B"), Map.of(), Map.of()));
    }
}
