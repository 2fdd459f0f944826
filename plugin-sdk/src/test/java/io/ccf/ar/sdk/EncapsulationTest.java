package io.ccf.ar.sdk;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.io.PrintWriter;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin module on the module path sees {@code io.ccf.ar.sdk} and not {@code io.ccf.ar.sdk.internal}:
 * javac compiles a tiny plugin module against the SDK module twice.
 */
class EncapsulationTest {
    @TempDir
    Path dir;

    private String compile(String body) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/p"));
        Files.writeString(dir.resolve("src/module-info.java"), "module p { requires io.ccf.ar.sdk; }");
        Files.writeString(src.resolve("P.java"), "package p;\n" + body);
        Set<String> path = new LinkedHashSet<>();
        for (String prop : new String[] {"jdk.module.path", "java.class.path"}) {
            String v = System.getProperty(prop, "");
            for (String e : v.split(File.pathSeparator)) {
                // the SDK's own classes and its dependencies; not the test classes or JUnit, nor netty-alpn-engine,
                // which is class path only (one class in grpc-netty-shaded's package: a split package on a module path)
                if (!e.isBlank() && !e.contains("test-classes") && !e.contains("junit") && !e.contains("opentest4j")
                        && !e.contains("apiguardian") && !e.contains("surefire") && !e.contains("gson")
                        && !e.contains("netty-alpn-engine")) {
                    path.add(e);
                }
            }
        }
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        StringWriter out = new StringWriter();
        List<String> args = new ArrayList<>(List.of("-d", dir.resolve("out").toString(),
                "--module-path", String.join(File.pathSeparator, path),
                dir.resolve("src/module-info.java").toString(), src.resolve("P.java").toString()));
        PrintWriter w = new PrintWriter(out);
        boolean ok = javac.run(w, w, args.toArray(new String[0])) == 0;
        w.flush();
        return (ok ? "OK\n" : "FAILED\n") + out;
    }

    @Test
    void pluginModulesSeeTheApiButNotInternal() throws Exception {
        String api = compile("public class P { io.ccf.ar.sdk.Provider provider; }");
        assertTrue(api.startsWith("OK"), api);
        String internal = compile("public class P { io.ccf.ar.sdk.internal.PluginCore core; }");
        assertFalse(internal.startsWith("OK"), internal);
        assertTrue(internal.contains("io.ccf.ar.sdk.internal") && internal.contains("not visible")
                || internal.contains("does not export"), internal);
    }
}
