package io.ccf.ar.runtime.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The runtime's version as built (the Maven project version, written into version.properties at build time). */
public final class RuntimeVersion {
    private RuntimeVersion() {
    }

    public static String current() {
        try (InputStream in = RuntimeVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            return v.isBlank() || v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
