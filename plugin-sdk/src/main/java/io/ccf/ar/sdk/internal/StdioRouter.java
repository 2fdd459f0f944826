package io.ccf.ar.sdk.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.ccf.ar.proto.goplugin.GRPCStdioGrpc;
import io.ccf.ar.proto.goplugin.StdioData;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Owns {@code System.out} and {@code System.err} once the plugin serves, and
 * implements go-plugin's {@code plugin.GRPCStdio} service.
 *
 * <ul>
 *   <li>{@code System.out}: while a host has a {@code StreamStdio} call open,
 *       each printed chunk (normally one line) is queued and sent to it as
 *       {@code STDOUT} data by a sender thread that respects the stream's flow
 *       control. With no stream open (before the host calls, or after it went
 *       away) the bytes are mirrored to the real stderr, so they are never lost
 *       and never reach the real stdout, which carries the handshake only.</li>
 *   <li>{@code System.err}: written to the real stderr, line by line, as plain
 *       text. Not into the stream: go-plugin hosts discard stdio data unless
 *       configured otherwise (SyncStderr defaults to io.Discard), whereas every
 *       host logs the process's stderr, so stack traces printed by the JVM or
 *       by plugin code stay visible.</li>
 * </ul>
 *
 * <p>A printing thread never blocks on the host: at most {@link #MAX_QUEUED}
 * bytes wait for the stream; beyond that new output is dropped (and counted in
 * one warning), since blocking could deadlock a handler running on the event
 * loop that would have to carry the data.
 */
public final class StdioRouter extends GRPCStdioGrpc.GRPCStdioImplBase {
    static final int MAX_QUEUED = 4 * 1024 * 1024;

    private final Object lock = new Object();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long droppedBytes;
    private Stream active;
    private boolean finishing;
    private PrintStream out;
    private PrintStream err;

    /** One open StreamStdio call. */
    private final class Stream {
        final ServerCallStreamObserver<StdioData> observer;
        boolean done;

        Stream(ServerCallStreamObserver<StdioData> observer) {
            this.observer = observer;
        }
    }

    /** Replaces {@code System.out} and {@code System.err}; returns the router. */
    public static StdioRouter install() {
        StdioRouter r = new StdioRouter();
        r.out = new PrintStream(new ChunkStream(r::stdout), true, StandardCharsets.UTF_8);
        r.err = new PrintStream(new ChunkStream(StderrSink::write), true, StandardCharsets.UTF_8);
        System.setOut(r.out);
        System.setErr(r.err);
        return r;
    }

    /** Flushes partial lines still held by {@code System.out}/{@code System.err}. */
    public void flushPrintStreams() {
        if (out != null) {
            out.flush();
        }
        if (err != null) {
            err.flush();
        }
    }

    /** Takes one chunk printed on {@code System.out}. */
    void stdout(byte[] chunk) {
        boolean mirror;
        boolean warn = false;
        synchronized (lock) {
            mirror = active == null;
            if (!mirror) {
                if (queuedBytes + chunk.length > MAX_QUEUED) {
                    warn = droppedBytes == 0;
                    droppedBytes += chunk.length;
                } else {
                    queue.add(chunk);
                    queuedBytes += chunk.length;
                    lock.notifyAll();
                }
            }
        }
        if (mirror) {
            StderrSink.write(chunk);
        } else if (warn) {
            SdkLog.LOG.warn("host is not draining the stdio stream; dropping plugin stdout",
                    "queued_bytes", MAX_QUEUED);
        }
    }

    @Override
    public void streamStdio(Empty request, StreamObserver<StdioData> responseObserver) {
        ServerCallStreamObserver<StdioData> obs = (ServerCallStreamObserver<StdioData>) responseObserver;
        Stream s = new Stream(obs);
        synchronized (lock) {
            if (active != null || finishing) {
                obs.onError(Status.FAILED_PRECONDITION
                        .withDescription(finishing ? "plugin is stopping"
                                : "StreamStdio is already open (it must be called once)")
                        .asRuntimeException());
                return;
            }
            active = s;
            droppedBytes = 0;
        }
        obs.setOnCancelHandler(() -> end(s));
        obs.setOnReadyHandler(() -> {
            synchronized (lock) {
                lock.notifyAll();
            }
        });
        Thread t = new Thread(() -> send(s), "plugin-stdio");
        t.setDaemon(true);
        t.start();
    }

    /** The sender loop for one stream: queue to {@code onNext}, respecting flow control. */
    private void send(Stream s) {
        StdioData.Builder data = StdioData.newBuilder().setChannel(StdioData.Channel.STDOUT);
        while (true) {
            byte[] chunk;
            synchronized (lock) {
                while (!s.done && (queue.isEmpty() || !s.observer.isReady()) && !(finishing && queue.isEmpty())) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (s.done) {
                    return;
                }
                if (queue.isEmpty()) { // finishing and drained
                    s.done = true;
                    active = null;
                    lock.notifyAll();
                    chunk = null;
                } else {
                    chunk = queue.poll();
                    queuedBytes -= chunk.length;
                }
            }
            try {
                if (chunk == null) {
                    s.observer.onCompleted();
                    return;
                }
                s.observer.onNext(data.setData(ByteString.copyFrom(chunk)).build());
            } catch (RuntimeException e) { // cancelled under us
                end(s);
                return;
            }
        }
    }

    /** The stream ended (host cancelled): mirror what was still queued to stderr. */
    private void end(Stream s) {
        List<byte[]> rest = new ArrayList<>();
        synchronized (lock) {
            if (s.done) {
                return;
            }
            s.done = true;
            if (active == s) {
                active = null;
                rest.addAll(queue);
                queue.clear();
                queuedBytes = 0;
            }
            lock.notifyAll();
        }
        for (byte[] b : rest) {
            StderrSink.write(b);
        }
    }

    /**
     * Stops streaming for shutdown: waits up to {@code timeoutMillis} for queued
     * output to reach the host, then completes the stream; whatever is left is
     * mirrored to stderr. New output after this goes to stderr.
     */
    public void finish(long timeoutMillis) {
        flushPrintStreams();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        Stream s;
        synchronized (lock) {
            finishing = true;
            lock.notifyAll();
            while (active != null) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                try {
                    lock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            s = active;
        }
        if (s != null) {
            end(s); // host not reading: give up on the stream, keep the bytes on stderr
        }
    }
}
