package io.ccf.ar.runtime.registry.oci;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each refusal of the layer extractor, on tar bytes made here header by header (ustar, pax, GNU). */
class SafeTarExtractorTest {
    @TempDir
    Path tmp;
    Path target;
    Path outside;

    @BeforeEach
    void dirs() throws Exception {
        target = Files.createDirectories(tmp.resolve("pkg/1.0.0"));
        outside = tmp.resolve("pkg/escaped");
    }

    /** Builds a tar stream: entries are headers plus padded data, ended by two zero blocks. */
    static final class Tar {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Tar entry(String name, char type, String linkName, byte[] data) {
            byte[] h = new byte[512];
            put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
            put(h, 100, 8, octal(0755, 7));
            put(h, 108, 8, octal(0, 7));
            put(h, 116, 8, octal(0, 7));
            put(h, 124, 12, octal(data.length, 11));
            put(h, 136, 12, octal(0, 11));
            h[156] = (byte) type;
            put(h, 157, 100, linkName.getBytes(StandardCharsets.UTF_8));
            put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
            put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            long sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            put(h, 148, 8, (String.format("%06o", sum) + "\0 ").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(h);
            out.writeBytes(data);
            out.writeBytes(new byte[(512 - data.length % 512) % 512]);
            return this;
        }

        Tar file(String name, String content) {
            return entry(name, '0', "", content.getBytes(StandardCharsets.UTF_8));
        }

        Tar pax(String key, String value) {
            String record = " " + key + "=" + value + "\n";
            int len = record.length() + 2;
            while (String.valueOf(len).length() + record.length() != len) {
                len = String.valueOf(len).length() + record.length();
            }
            return entry("PaxHeaders/x", 'x', "", (len + record).getBytes(StandardCharsets.UTF_8));
        }

        Path gzip(Path file) throws Exception {
            out.writeBytes(new byte[1024]);
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
                g.write(out.toByteArray());
            }
            return Files.write(file, gz.toByteArray());
        }

        private static byte[] octal(long v, int digits) {
            return (String.format("%0" + digits + "o", v) + "\0").getBytes(StandardCharsets.US_ASCII);
        }

        private static void put(byte[] h, int off, int len, byte[] v) {
            System.arraycopy(v, 0, h, off, Math.min(len, v.length));
        }
    }

    void extract(Tar tar) throws Exception {
        new SafeTarExtractor(1024 * 1024).extract(tar.gzip(tmp.resolve("layer-" + System.nanoTime() + ".tar.gz")),
                target, Optional.empty());
    }

    void assertRefused(Tar tar, String reason) {
        SafeTarExtractor.UnsafeArchiveException e = assertThrows(SafeTarExtractor.UnsafeArchiveException.class, () -> extract(tar));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertFalse(Files.exists(outside, LinkOption.NOFOLLOW_LINKS), "nothing written outside");
    }

    @Test
    void aPlainArchiveUnpacks() throws Exception {
        extract(new Tar().entry("sub/", '5', "", new byte[0]).file("sub/sample.jar", "jar").file("./NOTICE", "n"));
        assertEquals("jar", Files.readString(target.resolve("sub/sample.jar")));
        assertEquals("n", Files.readString(target.resolve("NOTICE")));
    }

    @Test
    void absoluteNamesAreRefused() {
        assertRefused(new Tar().file(outside.toString(), "x"), "has an absolute or invalid name");
    }

    @Test
    void dotDotIsRefused() {
        assertRefused(new Tar().file("../escaped", "x"), "contains '..'");
        assertRefused(new Tar().file("a/../../escaped", "x"), "contains '..'");
    }

    @Test
    void symbolicLinksLeadingOutAreRefused() {
        assertRefused(new Tar().entry("link", '2', "../escaped", new byte[0]), "points outside the package directory");
        assertRefused(new Tar().entry("abs", '2', outside.toString(), new byte[0]), "points outside the package directory");
    }

    @Test
    void aSymbolicLinkInsideIsKeptButNotWrittenThrough() throws Exception {
        assertRefused(new Tar().file("real", "r").entry("alias", '2', "real", new byte[0]).file("alias", "overwrite"),
                "appears twice or replaces a link");
        assertEquals("r", Files.readString(target.resolve("real")));
    }

    @Test
    void hardLinksLeadingOutAreRefused() throws Exception {
        Files.writeString(outside, "secret");
        try {
            SafeTarExtractor.UnsafeArchiveException e = assertThrows(SafeTarExtractor.UnsafeArchiveException.class,
                    () -> extract(new Tar().entry("copy", '1', "../escaped", new byte[0])));
            assertTrue(e.getMessage().contains("contains '..'"), e.getMessage());
            e = assertThrows(SafeTarExtractor.UnsafeArchiveException.class,
                    () -> extract(new Tar().entry("copy2", '1', outside.toString(), new byte[0])));
            assertTrue(e.getMessage().contains("absolute or invalid name"), e.getMessage());
            assertFalse(Files.exists(target.resolve("copy")) || Files.exists(target.resolve("copy2")));
        } finally {
            Files.delete(outside);
        }
        // a hard link to a file extracted before it, inside, is a copy
        extract(new Tar().file("a", "content").entry("b", '1', "a", new byte[0]));
        assertEquals("content", Files.readString(target.resolve("b")));
    }

    @Test
    void devicesAndFifosAreRefused() {
        assertRefused(new Tar().entry("null", '3', "", new byte[0]), "is a device");
        assertRefused(new Tar().entry("sda", '4', "", new byte[0]), "is a device");
        assertRefused(new Tar().entry("pipe", '6', "", new byte[0]), "is a fifo");
    }

    @Test
    void paxNamesAreCheckedLikeUstarNames() throws Exception {
        assertRefused(new Tar().pax("path", "../escaped").file("innocent", "x"), "contains '..'");
        assertRefused(new Tar().pax("path", outside.toString()).file("innocent", "x"), "absolute or invalid name");
        assertRefused(new Tar().pax("linkpath", "../../escaped").entry("innocent", '2', "ok", new byte[0]),
                "points outside the package directory");
        String longName = "d/" + "n".repeat(150);
        extract(new Tar().entry("d/", '5', "", new byte[0]).pax("path", longName).file("short", "long"));
        assertEquals("long", Files.readString(target.resolve(longName)));
        assertFalse(Files.exists(target.resolve("short")));
    }

    @Test
    void gnuLongNamesAreCheckedLikeUstarNames() throws Exception {
        assertRefused(new Tar().entry("././@LongLink", 'L', "", "../escaped\0".getBytes(StandardCharsets.UTF_8))
                .file("innocent", "x"), "contains '..'");
        assertRefused(new Tar().entry("././@LongLink", 'K', "", "../../escaped\0".getBytes(StandardCharsets.UTF_8))
                .entry("innocent", '2', "ok", new byte[0]), "points outside the package directory");
        String longName = "g".repeat(180);
        extract(new Tar().entry("././@LongLink", 'L', "", (longName + "\0").getBytes(StandardCharsets.UTF_8)).file("short", "gnu"));
        assertEquals("gnu", Files.readString(target.resolve(longName)));
    }

    @Test
    void aCorruptHeaderAndAnOversizedLayerAreRefused() throws Exception {
        Path bad = tmp.resolve("bad.tar.gz");
        try (GZIPOutputStream g = new GZIPOutputStream(Files.newOutputStream(bad))) {
            byte[] block = new byte[512];
            block[0] = 'x';
            g.write(block);
        }
        SafeTarExtractor.UnsafeArchiveException e = assertThrows(SafeTarExtractor.UnsafeArchiveException.class,
                () -> new SafeTarExtractor(1024 * 1024).extract(bad, target, Optional.empty()));
        assertTrue(e.getMessage().contains("header checksum mismatch"), e.getMessage());

        Path big = new Tar().file("big", "x".repeat(8192)).gzip(tmp.resolve("big.tar.gz"));
        e = assertThrows(SafeTarExtractor.UnsafeArchiveException.class,
                () -> new SafeTarExtractor(4096).extract(big, target, Optional.empty()));
        assertTrue(e.getMessage().contains("more than the limit of 4096 bytes"), e.getMessage());
    }
}
