package io.ccf.ar.runtime.registry.oci;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a directory as a gzip'd ustar archive under a top directory, as {@code oras push ref dir/} does.
 * Timestamps and owners are zeroed, so the same files always give the same layer digest.
 */
public final class TarGzWriter {
    private static final int BLOCK = 512;

    private TarGzWriter() {
    }

    /** Writes {@code <top>/} and every regular file below dir (sorted, relative names) to out. */
    public static void write(Path dir, String top, OutputStream out) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> !p.equals(dir)).sorted().toList();
        }
        GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024);
        entry(gz, top + "/", '5', 0755, 0);
        for (Path p : files) {
            String name = top + "/" + dir.relativize(p).toString().replace('\\', '/');
            if (Files.isSymbolicLink(p)) {
                throw new IOException("cannot publish symbolic link " + p + ": packages hold plain files");
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                entry(gz, name + "/", '5', 0755, 0);
                continue;
            }
            long size = Files.size(p);
            entry(gz, name, '0', Files.isExecutable(p) ? 0755 : 0644, size);
            Files.copy(p, gz);
            gz.write(new byte[(int) ((BLOCK - size % BLOCK) % BLOCK)]);
        }
        gz.write(new byte[2 * BLOCK]);
        gz.finish();
    }

    private static void entry(OutputStream out, String name, char type, int mode, long size) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100) {
            // a pax header carries names that do not fit ustar's 100 bytes
            byte[] record = paxRecord("path", name);
            out.write(header("PaxHeaders/" + Math.abs(name.hashCode()), 'x', 0644, record.length));
            out.write(record);
            out.write(new byte[(BLOCK - record.length % BLOCK) % BLOCK]);
        }
        out.write(header(name, type, mode, size));
    }

    private static byte[] paxRecord(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int len = body.getBytes(StandardCharsets.UTF_8).length;
        int total = len + String.valueOf(len).length();
        if (String.valueOf(total).length() != String.valueOf(len).length()) {
            total++;
        }
        return (total + body).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] header(String name, char type, int mode, long size) {
        byte[] h = new byte[BLOCK];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(n.length, 100));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        System.arraycopy("ustar\00000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("tar field too small for " + value);
        }
        String padded = "0".repeat(len - 1 - s.length()) + s;
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }
}
