package io.ccf.ar.sdk.internal;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * An {@link OutputStream} that collects bytes and hands them on as one chunk on
 * {@link #flush()} (the {@code PrintStream}s the SDK installs auto-flush after
 * every {@code println}), or when 8 KiB have piled up. A whole line therefore
 * travels as one chunk, which keeps lines intact when several threads print.
 */
final class ChunkStream extends OutputStream {
    /** Where finished chunks go. */
    interface Sink {
        void accept(byte[] chunk);
    }

    private static final int MAX_CHUNK = 8192;

    private final Sink sink;
    private byte[] buf = new byte[256];
    private int count;

    ChunkStream(Sink sink) {
        this.sink = sink;
    }

    @Override
    public synchronized void write(int b) {
        ensure(1);
        buf[count++] = (byte) b;
        if (count >= MAX_CHUNK) {
            emit();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        while (len > 0) {
            int n = Math.min(len, MAX_CHUNK - count);
            ensure(n);
            System.arraycopy(b, off, buf, count, n);
            count += n;
            off += n;
            len -= n;
            if (count >= MAX_CHUNK) {
                emit();
            }
        }
    }

    @Override
    public synchronized void flush() {
        emit();
    }

    @Override
    public void close() {
        flush();
    }

    private void ensure(int extra) {
        if (count + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + extra));
        }
    }

    private void emit() {
        if (count == 0) {
            return;
        }
        byte[] chunk = Arrays.copyOf(buf, count);
        count = 0;
        if (buf.length > MAX_CHUNK) {
            buf = new byte[256];
        }
        sink.accept(chunk);
    }
}
