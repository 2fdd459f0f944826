package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class BoundedLineReaderTest {
    private static BoundedLineReader reader(String s) {
        return new BoundedLineReader(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void linesUpToTheLimitAreWhole() throws IOException {
        BoundedLineReader r = reader("one\r\ntwo\n\nlast");
        assertEquals(new BoundedLineReader.Line("one", 0, true), r.readLine(8));
        assertEquals(new BoundedLineReader.Line("two", 0, true), r.readLine(8));
        assertEquals(new BoundedLineReader.Line("", 0, true), r.readLine(8));
        assertEquals(new BoundedLineReader.Line("last", 0, false), r.readLine(8));
        assertNull(r.readLine(8));
    }

    @Test
    void aLongLineIsCutAndTheRestSkippedToTheNewline() throws IOException {
        BoundedLineReader r = reader("x".repeat(20_000) + "\nnext\n");
        BoundedLineReader.Line cut = r.readLine(8192);
        assertEquals(8192, cut.text().length());
        assertEquals(20_000 - 8192, cut.droppedBytes());
        assertTrue(cut.render().endsWith("...(truncated 11808 bytes)"), cut.render());
        assertEquals("next", r.readLine(8192).text());
    }

    @Test
    void aGigabyteWithoutNewlineIsReadInBoundedMemory() throws IOException {
        long size = 1L << 30;
        InputStream endless = new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? 'y' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'y');
                left -= n;
                return n;
            }
        };
        BoundedLineReader.Line line = new BoundedLineReader(endless).readLine(8192);
        assertEquals(8192, line.text().length());
        assertEquals(size - 8192, line.droppedBytes());
        assertFalse(line.terminated());
    }

    @Test
    void overflowReturnsAtTheLimitWithoutWaitingForANewline() throws IOException {
        // a stream that would block after its first 5000 bytes: the read must not get there
        InputStream blocking = new InputStream() {
            int left = 5000;

            @Override
            public int read() {
                throw new AssertionError("read past the limit");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    throw new AssertionError("read past the limit");
                }
                int n = Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) '1');
                left -= n;
                return n;
            }
        };
        BoundedLineReader.Line line = new BoundedLineReader(blocking).readLineOrOverflow(4096);
        assertTrue(line.truncated());
        assertFalse(line.terminated());
        assertEquals(4096, line.text().length());
    }
}
