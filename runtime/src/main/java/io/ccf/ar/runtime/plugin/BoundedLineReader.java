package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads lines of a plugin's output with a cap on what one line may hold in memory. A plugin controls
 * its stdout and stderr, so a {@code BufferedReader.readLine()} on them lets a line without a newline
 * grow until the daemon runs out of heap. Here a line keeps at most {@code maxBytes}; the rest of it
 * is read in fixed-size chunks, counted and dropped. Not thread-safe: one reader per stream.
 */
final class BoundedLineReader {
    /** A line of plugin output as forwarded to the log: longer lines are cut (go-plugin has no such bound). */
    static final int LOG_LINE_MAX_BYTES = 8 * 1024;

    /**
     * One line, without its line break.
     *
     * @param text         the first bytes of the line, decoded as UTF-8 (a character cut at the limit becomes U+FFFD)
     * @param droppedBytes bytes of the line beyond the limit that were skipped (0 when it fitted)
     * @param terminated   false when the stream ended, or the limit was reached, before a newline
     */
    record Line(String text, long droppedBytes, boolean terminated) {
        boolean truncated() {
            return droppedBytes > 0;
        }

        /** The text, with {@code ...(truncated N bytes)} when it was cut. */
        String render() {
            return droppedBytes == 0 ? text : text + "...(truncated " + droppedBytes + " bytes)";
        }
    }

    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int pos;
    private int limit;

    BoundedLineReader(InputStream in) {
        this.in = in;
    }

    /**
     * The next line, keeping at most {@code maxBytes} of it and skipping the rest up to the newline
     * (or the end of the stream, however far away); null at the end of the stream.
     */
    Line readLine(int maxBytes) throws IOException {
        return read(maxBytes, true);
    }

    /**
     * The next line if it fits in {@code maxBytes}; when it does not, returns as soon as the limit is
     * passed, with {@code droppedBytes > 0} and {@code terminated == false}, without waiting for a
     * newline that may never come (for the handshake). Null at the end of the stream.
     */
    Line readLineOrOverflow(int maxBytes) throws IOException {
        return read(maxBytes, false);
    }

    private Line read(int maxBytes, boolean skipRest) throws IOException {
        byte[] line = new byte[Math.min(maxBytes, 256)];
        int length = 0;
        long dropped = 0;
        boolean any = false;
        while (true) {
            if (pos == limit && !fill()) {
                return any ? line(line, length, dropped, false) : null;
            }
            any = true;
            int newline = -1;
            for (int i = pos; i < limit; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? limit : newline;
            int keep = Math.min(end - pos, maxBytes - length);
            if (keep > 0) {
                if (length + keep > line.length) {
                    line = java.util.Arrays.copyOf(line, Math.min(maxBytes, Math.max(line.length * 2, length + keep)));
                }
                System.arraycopy(buffer, pos, line, length, keep);
                length += keep;
            }
            dropped += end - pos - keep;
            if (newline >= 0) {
                pos = newline + 1;
                return line(line, length, dropped, true);
            }
            pos = limit;
            if (dropped > 0 && !skipRest) {
                return line(line, length, dropped, false);
            }
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            pos = limit = 0;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private static Line line(byte[] bytes, int length, long dropped, boolean terminated) {
        if (dropped == 0 && length > 0 && bytes[length - 1] == '\r') {
            length--; // CRLF from a plugin built on Windows habits
        }
        return new Line(new String(bytes, 0, length, StandardCharsets.UTF_8), dropped, terminated);
    }
}
