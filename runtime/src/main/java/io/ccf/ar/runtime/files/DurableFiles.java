package io.ccf.ar.runtime.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Replaces a file so that after a crash or a power cut it holds either the old or the new content, never
 * a truncated one: write a temp file in the same directory, fsync it, rename it over the target, fsync
 * the directory (the rename itself is only durable once the directory is).
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /** {@link #writeAtomically(Path, byte[], Set)} keeping the target's permissions, or the temp file's (owner only). */
    public static void writeAtomically(Path file, byte[] content) throws IOException {
        writeAtomically(file, content, null);
    }

    /**
     * @param permissions for a new file; null keeps an existing file's permissions, else owner read/write
     * @throws IOException nothing was replaced unless the rename happened and only the directory fsync failed
     */
    public static void writeAtomically(Path file, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        // hidden name: directory scans (plan files, package versions) skip it if a crash leaves it behind
        Path temp = Files.createTempFile(directory, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            setPermissions(temp, file, permissions);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE); // same directory: a rename(2), replaces the target
            temp = null;
            syncDirectory(directory);
        } finally {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** fsync of a directory, so renames and deletions in it survive a power cut. */
    public static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (UnsupportedOperationException e) {
            // a platform that cannot open directories (not Linux): the file itself is on disk
        }
    }

    private static void setPermissions(Path temp, Path file, Set<PosixFilePermission> permissions) throws IOException {
        try {
            if (Files.exists(file)) {
                Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(file));
            } else if (permissions != null) {
                Files.setPosixFilePermissions(temp, permissions);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the defaults
        }
    }
}
