package io.ccf.ar.runtime.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Replaces a file so that after a crash or a power cut it holds either the old or the new content, never
 * a truncated one: write a temp file in the same directory, fsync it, rename it over the target, fsync
 * the directory (the rename itself is only durable once the directory is).
 */
public final class DurableFiles {
    /** 0600: plan files (plugin configuration), spool segments, dead letters, plugins.lock, anything with credentials. */
    public static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    /** 0700: the directories the runtime creates for those files. */
    public static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private DurableFiles() {
    }

    /**
     * Creates {@code directory} and its missing parents with mode 0700 (whatever the umask). A directory that
     * exists already keeps its mode: an operator who made it shared meant to.
     */
    public static Path createPrivateDirectories(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return directory;
        }
        Path parent = absolute.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createPrivateDirectories(parent);
        }
        try {
            Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
            Files.setPosixFilePermissions(absolute, PRIVATE_DIRECTORY); // the umask may have taken bits away
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(absolute); // not a POSIX file system
        }
        return directory;
    }

    /** Opens a file; one it creates gets mode 0600 (an existing file keeps its mode). */
    public static FileChannel openPrivate(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> set = new HashSet<>(Arrays.asList(options));
        try {
            return FileChannel.open(file, set, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(file, set); // not a POSIX file system
        }
    }

    /**
     * {@link #writeAtomically(Path, byte[], Set)} for a file that must stay private: mode 0600 even when the file
     * it replaces was more open, in a directory created 0700 when missing.
     */
    public static void writePrivately(Path file, byte[] content) throws IOException {
        createPrivateDirectories(file.toAbsolutePath().getParent());
        write(file, content, PRIVATE_FILE, true);
    }

    /** {@link #writeAtomically(Path, byte[], Set)} that gives the file {@code permissions} even when it exists. */
    public static void writeAtomicallyWithMode(Path file, byte[] content, Set<PosixFilePermission> permissions)
            throws IOException {
        write(file, content, permissions, true);
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
        write(file, content, permissions, false);
    }

    private static void write(Path file, byte[] content, Set<PosixFilePermission> permissions, boolean force)
            throws IOException {
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
            setPermissions(temp, file, permissions, force);
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

    private static void setPermissions(Path temp, Path file, Set<PosixFilePermission> permissions, boolean force)
            throws IOException {
        try {
            if (force) {
                Files.setPosixFilePermissions(temp, permissions);
            } else if (Files.exists(file)) {
                Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(file));
            } else if (permissions != null) {
                Files.setPosixFilePermissions(temp, permissions);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the defaults
        }
    }
}
