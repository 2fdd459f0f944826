package io.ccf.ar.runtime.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of a file's content, lower-case hex. */
@FunctionalInterface
public interface FileHasher {
    /** Reads the whole file every time. */
    FileHasher DIRECT = FileHasher::readSha256Hex;

    String sha256Hex(Path file) throws IOException;

    /** Reads {@code file} to its end and returns its SHA-256, lower-case hex. */
    static String readSha256Hex(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
