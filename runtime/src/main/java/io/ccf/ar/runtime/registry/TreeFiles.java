package io.ccf.ar.runtime.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ccf.ar.runtime.files.FileHasher;
import io.ccf.ar.runtime.files.FileTrees;

/**
 * File chores of the registry package, for publishing a tree and for installing from one: hashing,
 * {@code sha256sum} lines, permissions a file server can read, atomic writes, removing a directory tree.
 */
final class TreeFiles {
    /** "<64 hex>  <name>" or "<64 hex> *<name>" (binary mode), as sha256sum writes and checks it. */
    private static final Pattern SHA256_LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

    private TreeFiles() {
    }

    static String sha256Hex(Path file) throws IOException {
        return FileHasher.readSha256Hex(file);
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** One line in sha256sum's output format; {@code sha256sum -c} in the version directory checks it. */
    static String sha256Line(String sha256, String fileName) {
        return sha256 + "  " + fileName + "\n";
    }

    /** The lower-case hex digest a {@code .sha256} file records for {@code fileName}, if it is well-formed. */
    static Optional<String> recordedSha256(Path sumFile, String fileName) throws IOException {
        String first = Files.readString(sumFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        Matcher m = SHA256_LINE.matcher(first);
        if (!m.matches() || !m.group(2).strip().equals(fileName)) {
            return Optional.empty();
        }
        return Optional.of(m.group(1).toLowerCase());
    }

    /**
     * rw-r--r-- (rwxr-xr-x for executables and directories): temp files and directories are created
     * owner-only, and a file server running as another user (nginx) must be able to read what is published.
     */
    static void makeWorldReadable(Path path, boolean executable) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            path.toFile().setReadable(true, false);
            if (executable && !path.toFile().setExecutable(true, false)) {
                throw new IOException("cannot make " + path + " executable");
            }
        }
    }

    /** Writes through a hidden temp file in the same directory, then renames it over {@code target}. */
    static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + "-", ".tmp");
        try {
            Files.write(tmp, content);
            makeWorldReadable(tmp, false);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Best effort: a leftover hidden directory is never served as a version nor indexed. */
    static void deleteTree(Path root) {
        try {
            FileTrees.deleteTree(root);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
