package io.ccf.ar.runtime.registry.oci;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks a gzip'd tar (ustar, pax and GNU long names, as Go's archive/tar and GNU tar write them) into a
 * directory without letting it escape: absolute names, {@code ..}, links resolving outside, devices, fifos
 * and writes through symbolic links are refused, and the uncompressed stream is limited in size.
 */
public final class SafeTarExtractor {
    private static final int BLOCK = 512;

    /** Why an archive was refused. */
    public static final class UnsafeArchiveException extends IOException {
        public UnsafeArchiveException(String message) {
            super(message);
        }
    }

    private final long maxUncompressedBytes;

    public SafeTarExtractor(long maxUncompressedBytes) {
        this.maxUncompressedBytes = maxUncompressedBytes;
    }

    /**
     * Extracts archive into target (an existing directory). With a prefix (ORAS puts a directory's files under
     * {@code <title>/}), only entries under it are taken, with the prefix removed.
     */
    public void extract(Path archive, Path target, Optional<String> prefix) throws IOException {
        Path root = target.toRealPath();
        try (InputStream gz = new GZIPInputStream(Files.newInputStream(archive), 64 * 1024);
             InputStream in = new LimitedStream(gz, maxUncompressedBytes)) {
            Map<String, String> pax = new HashMap<>();
            String longName = null;
            String longLink = null;
            byte[] header = new byte[BLOCK];
            while (true) {
                if (!readBlock(in, header)) {
                    return; // EOF without end-of-archive blocks: Go and GNU tar write them, but be lenient
                }
                if (isZero(header)) {
                    return;
                }
                verifyChecksum(header);
                char type = (char) (header[156] == 0 ? '0' : header[156]);
                long size = parseNumber(header, 124, 12);
                if (size < 0) {
                    throw new UnsafeArchiveException("tar entry with negative size");
                }
                switch (type) {
                    case 'x' -> {
                        pax.putAll(parsePax(readData(in, size)));
                        continue;
                    }
                    case 'g' -> {
                        skip(in, size); // global pax headers carry nothing we use
                        continue;
                    }
                    case 'L' -> {
                        longName = cString(readData(in, size), 0, (int) size);
                        continue;
                    }
                    case 'K' -> {
                        longLink = cString(readData(in, size), 0, (int) size);
                        continue;
                    }
                    default -> {
                        // a real entry follows
                    }
                }
                String name = pax.getOrDefault("path", longName != null ? longName : ustarName(header));
                String linkName = pax.getOrDefault("linkpath", longLink != null ? longLink : cString(header, 157, 100));
                if (pax.containsKey("size")) {
                    size = Long.parseLong(pax.get("size").strip());
                }
                pax.clear();
                longName = null;
                longLink = null;
                int mode = (int) parseNumber(header, 100, 8);

                Optional<String> relative = relativeName(name, prefix);
                if (relative.isEmpty()) {
                    skip(in, type == '0' || type == '7' ? size : 0);
                    continue;
                }
                Path out = root.resolve(relative.get()).normalize();
                if (!out.startsWith(root)) {
                    throw new UnsafeArchiveException("tar entry \"" + name + "\" points outside the package directory");
                }
                switch (type) {
                    case '0', '7' -> {
                        Path parent = createParents(root, out, name);
                        writeFile(in, parent.resolve(out.getFileName()), size, mode, name);
                    }
                    case '5' -> {
                        if (!out.equals(root)) {
                            createParents(root, out, name);
                            Path real = out.getParent().toRealPath().resolve(out.getFileName());
                            if (Files.isSymbolicLink(real)) {
                                throw new UnsafeArchiveException("tar directory \"" + name + "\" would replace a symbolic link");
                            }
                            Files.createDirectories(real);
                        }
                        skip(in, size);
                    }
                    case '2' -> {
                        Path parent = createParents(root, out, name);
                        Path link = Path.of(linkName);
                        if (link.isAbsolute() || !parent.resolve(link).normalize().startsWith(root)) {
                            throw new UnsafeArchiveException("tar symbolic link \"" + name + "\" -> \"" + linkName
                                    + "\" points outside the package directory");
                        }
                        Files.createSymbolicLink(parent.resolve(out.getFileName()), link);
                        skip(in, size);
                    }
                    case '1' -> {
                        Path parent = createParents(root, out, name);
                        Optional<String> linkRelative = relativeName(linkName, prefix);
                        Path source = linkRelative.map(r -> root.resolve(r).normalize()).orElse(null);
                        if (source == null || !source.startsWith(root) || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                            throw new UnsafeArchiveException("tar hard link \"" + name + "\" -> \"" + linkName
                                    + "\" does not name a file extracted before it inside the package directory");
                        }
                        Files.copy(source, parent.resolve(out.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                        skip(in, size);
                    }
                    case '3', '4', '6' -> throw new UnsafeArchiveException("tar entry \"" + name + "\" is a "
                            + (type == '6' ? "fifo" : "device") + "; packages hold only files, directories and links");
                    default -> throw new UnsafeArchiveException("tar entry \"" + name + "\" has unsupported type '" + type + "'");
                }
            }
        }
    }

    /** Maps an entry name to a path inside the package, refusing absolute names and {@code ..}. */
    private static Optional<String> relativeName(String name, Optional<String> prefix) throws UnsafeArchiveException {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
            throw new UnsafeArchiveException("tar entry \"" + name + "\" has an absolute or invalid name");
        }
        String clean = name;
        while (clean.startsWith("./")) {
            clean = clean.substring(2);
        }
        for (String part : clean.split("/")) {
            if (part.equals("..")) {
                throw new UnsafeArchiveException("tar entry \"" + name + "\" contains '..'");
            }
        }
        clean = clean.replaceAll("/+$", "");
        if (prefix.isPresent()) {
            String p = prefix.get();
            if (clean.equals(p) || clean.equals(".")) {
                return Optional.of(".");
            }
            if (!clean.startsWith(p + "/")) {
                return Optional.empty();
            }
            clean = clean.substring(p.length() + 1);
        }
        return Optional.of(clean.isEmpty() ? "." : clean);
    }

    /** Creates out's parent directories and makes sure the real parent (after any links) is still inside root. */
    private static Path createParents(Path root, Path out, String name) throws IOException {
        Path parent = out.getParent();
        Files.createDirectories(parent);
        Path real = parent.toRealPath();
        if (!real.startsWith(root)) {
            throw new UnsafeArchiveException("tar entry \"" + name + "\" would be written through a link outside the package directory");
        }
        return real;
    }

    private static void writeFile(InputStream in, Path file, long size, int mode, String name) throws IOException {
        // CREATE_NEW refuses an existing path, so a file never goes through a link planted by an earlier entry
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buf = new byte[64 * 1024];
            long left = size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new EOFException("tar entry \"" + name + "\" is truncated");
                }
                out.write(buf, 0, n);
                left -= n;
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new UnsafeArchiveException("tar entry \"" + name + "\" appears twice or replaces a link");
        }
        skipPadding(in, size);
        if ((mode & 0100) != 0) {
            file.toFile().setExecutable(true, false);
        }
    }

    private static byte[] readData(InputStream in, long size) throws IOException {
        if (size > 1024 * 1024) {
            throw new UnsafeArchiveException("tar extended header of " + size + " bytes is implausibly large");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException("tar archive truncated in an extended header");
        }
        skipPadding(in, size);
        return data;
    }

    private static void skip(InputStream in, long size) throws IOException {
        long total = size + padding(size);
        long skipped = in.skip(total);
        while (skipped < total) {
            if (in.read() < 0) {
                throw new EOFException("tar archive truncated");
            }
            skipped++;
        }
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        long pad = padding(size);
        if (in.readNBytes((int) pad).length != pad) {
            throw new EOFException("tar archive truncated");
        }
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n != BLOCK) {
            throw new EOFException("tar archive truncated in a header");
        }
        return true;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void verifyChecksum(byte[] h) throws UnsafeArchiveException {
        long expected = parseNumber(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        if (sum != expected) {
            throw new UnsafeArchiveException("not a tar archive (header checksum mismatch)");
        }
    }

    private static String ustarName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** Octal, or base-256 when the high bit of the first byte is set (GNU, for sizes of 8 GiB and more). */
    private static long parseNumber(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            for (int i = off + 1; i < off + len; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        String s = cString(h, off, len).strip();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    private static Map<String, String> parsePax(byte[] data) throws UnsafeArchiveException {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new UnsafeArchiveException("malformed pax header");
            }
            if (len <= 0 || i + len > data.length) {
                throw new UnsafeArchiveException("malformed pax header");
            }
            String record = new String(data, space + 1, i + len - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                out.put(record.substring(0, eq), record.substring(eq + 1));
            }
            i += len;
        }
        return out;
    }

    /** Counts what the gzip stream inflates to and stops at the limit (a small blob can inflate hugely). */
    private static final class LimitedStream extends FilterInputStream {
        private final long limit;
        private long count;

        LimitedStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // read rather than skip, so skipped bytes are counted too
            byte[] buf = new byte[8192];
            long done = 0;
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        private void add(long n) throws UnsafeArchiveException {
            count += n;
            if (count > limit) {
                throw new UnsafeArchiveException("layer unpacks to more than the limit of " + limit + " bytes");
            }
        }
    }
}
