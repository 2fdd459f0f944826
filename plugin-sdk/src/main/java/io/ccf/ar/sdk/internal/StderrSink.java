package io.ccf.ar.sdk.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * The process's real stderr (file descriptor 2), written without buffering, one
 * {@code write(2)} per call, under one lock: log lines from {@code PluginLog} and
 * text from {@code System.err} never interleave inside a line.
 *
 * <p>This deliberately bypasses {@link System#err}, which the SDK replaces once
 * the plugin serves.
 */
public final class StderrSink {
    private static final Object LOCK = new Object();
    private static final FileOutputStream ERR = new FileOutputStream(FileDescriptor.err);

    private StderrSink() {
    }

    /** Writes the bytes as they are (the caller supplies any line end). Errors are ignored. */
    public static void write(byte[] bytes) {
        write(bytes, 0, bytes.length);
    }

    /** Writes {@code len} bytes from {@code off}. Errors are ignored (nowhere to report them). */
    public static void write(byte[] bytes, int off, int len) {
        if (len <= 0) {
            return;
        }
        synchronized (LOCK) {
            try {
                ERR.write(bytes, off, len);
            } catch (IOException ignored) {
                // stderr closed: the host is gone; the parent watcher ends the process.
            }
        }
    }
}
