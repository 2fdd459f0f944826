package io.ccf.ar.runtime.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers the SHA-256 of files by their identity, so that launching a plugin again (a restart, a
 * second package version of the same file) does not read the whole jar again: the plugins.lock check
 * before every launch hashed 21.7 MB each time.
 *
 * <p>The identity is the real path, size, modification time, file key (device and inode) and, where
 * the file system has one, the inode change time. Any write to the file changes the change time, which
 * no user can set back (unlike the modification time), and replacing the file changes the inode: a
 * changed file is always hashed afresh. A file that changed while it was being hashed is not
 * remembered. In memory only: a new runtime process hashes once more.
 */
public final class CachingFileHasher implements FileHasher {
    private final Map<Path, Remembered> hashes = new ConcurrentHashMap<>();
    private final AtomicLong filesRead = new AtomicLong();

    private record Identity(long size, FileTime modified, Object fileKey, Object changed) {
    }

    private record Remembered(Identity identity, String sha256) {
    }

    @Override
    public String sha256Hex(Path file) throws IOException {
        Path real = file.toRealPath();
        Identity before = identity(real);
        Remembered remembered = hashes.get(real);
        if (remembered != null && remembered.identity().equals(before)) {
            return remembered.sha256();
        }
        String sha256 = FileHasher.readSha256Hex(real);
        filesRead.incrementAndGet();
        if (identity(real).equals(before)) {
            hashes.put(real, new Remembered(before, sha256));
        } else {
            hashes.remove(real);
        }
        return sha256;
    }

    /** How many times a whole file was read (the rest were answered from memory). */
    public long filesRead() {
        return filesRead.get();
    }

    private static Identity identity(Path file) throws IOException {
        BasicFileAttributes basic = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Object changed;
        try {
            changed = Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            changed = null; // not a Unix file system: size, mtime and file key only
        }
        return new Identity(basic.size(), basic.lastModifiedTime(), basic.fileKey(), changed);
    }
}
