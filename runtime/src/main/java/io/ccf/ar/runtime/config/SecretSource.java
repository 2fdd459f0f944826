package io.ccf.ar.runtime.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where a secret (a NATS password or token) comes from: a file, read each time the secret is needed (so a
 * rotated file is picked up on the next connect), or an environment variable, read once at config load.
 * {@link #toString} names the source, never the value, so a config printed or logged by accident carries no
 * secret.
 */
public final class SecretSource {
    private final String setting;
    private final Path file;
    private final char[] value;

    private SecretSource(String setting, Path file, char[] value) {
        this.setting = Objects.requireNonNull(setting, "setting");
        this.file = file;
        this.value = value;
    }

    /** The secret is the content of {@code file} (one trailing line break dropped), named by {@code setting}. */
    public static SecretSource file(String setting, Path file) {
        return new SecretSource(setting, Objects.requireNonNull(file, "file"), null);
    }

    /** The secret is the value of the environment variable {@code variable}. */
    public static SecretSource environment(String variable, String value) {
        return new SecretSource(variable, null, Objects.requireNonNull(value, "value").toCharArray());
    }

    /** The setting or environment variable that names the secret, e.g. {@code nats.passwordFile}. */
    public String setting() {
        return setting;
    }

    /** The file, or null for an environment variable. */
    public Path file() {
        return file;
    }

    /** The secret (a fresh copy; the caller may clear it). */
    public char[] read() throws IOException {
        if (value != null) {
            return value.clone();
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            String text = new String(bytes, StandardCharsets.UTF_8);
            int end = text.length();
            while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
                end--;
            }
            return text.substring(0, end).toCharArray();
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** "nats.passwordFile (/etc/ar/nats.pw)" or "environment variable AR_NATS_PASSWORD". */
    public String describe() {
        return file != null ? setting + " (" + file + ")" : "environment variable " + setting;
    }

    /** Same setting and file, or same variable and value: what a re-read config compares. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SecretSource that && setting.equals(that.setting) && Objects.equals(file, that.file)
                && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(setting, file); // not the value
    }

    @Override
    public String toString() {
        return "SecretSource[" + describe() + "]";
    }
}
