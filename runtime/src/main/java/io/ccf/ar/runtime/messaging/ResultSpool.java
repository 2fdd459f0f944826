package io.ccf.ar.runtime.messaging;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ccf.ar.runtime.files.DurableFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local, append-only, fsync'd queue of results waiting for NATS: {@link #append} is durable when it returns,
 * {@link #peek} reads the oldest entries in order, {@link #remove} drops an entry once it is published. A new
 * spool on the same directory (after a restart or a crash) sees the pending entries, in order.
 *
 * <h2>One I/O thread</h2>
 * Every file operation runs on the spool's own thread ({@code ar-result-spool}) behind a bounded queue; callers
 * hand their request over and wait for it without being interruptible. A caller's interrupt (a run cancelled at
 * its deadline) therefore never closes a spool file: the JDK closes a {@link FileChannel} used by a thread that
 * gets interrupted. Appends that queue up while the thread is busy are written together and share one fsync
 * (group commit). The API is thread-safe without any lock of the caller's.
 *
 * <h2>On disk</h2>
 * <ul>
 * <li>{@code results-<20 digit number>.seg}: segments, oldest first, in the format of {@link SpoolRecordCodec}.
 *     A segment is appended to until it reaches the segment size, then a new one starts; a fully consumed
 *     segment is deleted, and when the spool becomes empty every segment is deleted.</li>
 * <li>{@code head}: the position of the oldest pending entry ({@code "<segment> <offset>\n"}), replaced
 *     atomically (write a temp file, fsync it, rename, fsync the directory) every {@value #COMMIT_EVERY}
 *     removals and on close. After a crash, up to that many already-published entries are published again:
 *     harmless, since JetStream drops them by their Nats-Msg-Id within the stream's duplicate window.</li>
 * <li>{@code spool.lock}: held (an OS file lock) while the spool is open, so two processes cannot share it.</li>
 * <li>{@code dead-letter/dead-letters.jsonl}: results that can never be published ({@link DeadLetterFile}).</li>
 * </ul>
 *
 * <h2>Damage</h2>
 * Opening scans the pending records (one at a time: memory stays bounded) and checks lengths and CRCs. A damaged
 * record in the middle of a segment (a torn page, a flipped bit) is copied as raw bytes to the dead-letter file
 * and overwritten by a padding record of the same length, so the records after it are kept; damage at the end
 * (a crash mid-write) is copied to the dead-letter file and cut off. Each is logged and counted
 * ({@link #damaged}). A file without the segment header is renamed to {@code *.corrupt} and skipped.
 *
 * <h2>Limits</h2>
 * One entry is at most {@value #MAX_ENTRY_BYTES} bytes. The spool keeps at most {@code maxBytes} on disk: when
 * an append goes over, the <em>oldest</em> segments are deleted (the newest results are kept, as they describe
 * the current state) and an ERROR line says how many results were lost. The limit is enforced per segment, so
 * the spool may exceed it by up to one segment. An append the disk cannot take (full, I/O error) fails and
 * leaves nothing behind: a failed append is never in the spool.
 */
public final class ResultSpool implements Closeable {
    /** Default on-disk limit: 512 MiB. */
    public static final long DEFAULT_MAX_BYTES = 512L << 20;
    /** Default segment size: 8 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 8L << 20;
    /** Largest entry (id + payload + 2 bytes); larger appends are refused. */
    public static final int MAX_ENTRY_BYTES = 64 << 20;
    /** Removals between two writes of the head file. */
    public static final int COMMIT_EVERY = 64;
    /** How long a caller waits for its request to be taken up before giving up on it (a stuck disk). */
    static final Duration HAND_OFF_WAIT = Duration.ofSeconds(60);

    static final byte[] MAGIC = SpoolRecordCodec.MAGIC;
    static final int RECORD_HEADER = SpoolRecordCodec.HEADER;
    private static final int QUEUE_CAPACITY = 1024;
    private static final int MAX_BATCH = 256;
    /** Damage larger than this is not copied to the dead-letter file (only its size is recorded). */
    private static final int MAX_DAMAGE_COPY = 64 << 20;
    private static final Pattern SEGMENT = Pattern.compile("results-(\\d{20})\\.seg");
    private static final String HEAD = "head";
    private static final Logger log = LoggerFactory.getLogger(ResultSpool.class);

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final SpoolRecordCodec codec = new SpoolRecordCodec(MAX_ENTRY_BYTES);
    private final DeadLetterFile deadLetters;
    private final BlockingQueue<Task<?>> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread ioThread;
    private volatile boolean closed;

    // Read by any thread, written by the I/O thread only.
    private volatile long count;
    private volatile long bytes;
    private volatile long dropped;
    private volatile long damaged;
    private volatile long deadLettered;
    private volatile long diskBytes;

    // Confined to the I/O thread.
    private FileChannel lockChannel;
    private FileLock lock;
    /** Segments with pending entries (and the one being written), oldest first. */
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private long headSegment;
    private long headOffset;
    private long nextSegment;
    private FileChannel writer;
    private Segment writing;
    private FileChannel reader;
    private long readerSegment = -1;
    private int uncommitted;
    private boolean headFailing;
    private long appendSeq;
    /** Appends written but not yet forced, all in {@link #writing}. */
    private final List<Append> unsynced = new ArrayList<>();

    /** One pending entry, as {@link #peek} returns it; hand it back to {@link #remove} once published. */
    public static final class Entry {
        private final String msgId;
        private final byte[] data;
        final long segment;
        /** Where reading for this entry started (padding before it included). */
        final long offset;
        final long next;
        final int recordLength;

        Entry(String msgId, byte[] data, long segment, long offset, long next, int recordLength) {
            this.msgId = msgId;
            this.data = data;
            this.segment = segment;
            this.offset = offset;
            this.next = next;
            this.recordLength = recordLength;
        }

        public String msgId() {
            return msgId;
        }

        /** The payload (not copied: do not modify). */
        public byte[] data() {
            return data;
        }

        @Override
        public String toString() {
            return msgId + "@" + segment + ":" + offset;
        }
    }

    private static final class Segment {
        final long id;
        final Path path;
        long size;
        long pendingCount;
        long pendingBytes;

        Segment(long id, Path path, long size) {
            this.id = id;
            this.path = path;
            this.size = size;
        }
    }

    /** Something for the I/O thread to do; a caller may give up on it only while nobody has started it. */
    private static class Task<T> {
        private static final int QUEUED = 0;
        private static final int TAKEN = 1;
        private static final int CANCELLED = 2;
        final AtomicInteger state = new AtomicInteger(QUEUED);
        final CompletableFuture<T> result = new CompletableFuture<>();
        final IoCall<T> call;

        Task(IoCall<T> call) {
            this.call = call;
        }

        boolean take() {
            return state.compareAndSet(QUEUED, TAKEN);
        }

        boolean cancel() {
            return state.compareAndSet(QUEUED, CANCELLED);
        }
    }

    private static final class Append extends Task<Long> {
        final String id;
        final ByteBuffer record;
        long segment;
        long offset;

        Append(String id, ByteBuffer record) {
            super(null);
            this.id = id;
            this.record = record;
        }
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }

    private ResultSpool(Path dir, long maxBytes, long segmentBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.deadLetters = new DeadLetterFile(dir);
        this.ioThread = new Thread(this::ioLoop, "ar-result-spool");
        ioThread.setDaemon(true);
    }

    /** Opens (creating it if needed) the spool in {@code dir} with the default limits. */
    public static ResultSpool open(Path dir) {
        return open(dir, DEFAULT_MAX_BYTES, DEFAULT_SEGMENT_BYTES);
    }

    /**
     * Opens (creating it if needed) the spool in {@code dir}.
     *
     * @param maxBytes     on-disk limit; over it, the oldest segments are dropped (with an ERROR line)
     * @param segmentBytes size at which a new segment starts (capped at a quarter of {@code maxBytes})
     * @throws UncheckedIOException  if the directory cannot be used
     * @throws IllegalStateException if another process (or another open spool) holds the directory
     */
    public static ResultSpool open(Path dir, long maxBytes, long segmentBytes) {
        if (maxBytes < 4096) {
            throw new IllegalArgumentException("spool maxBytes must be at least 4096, got " + maxBytes);
        }
        long segment = Math.max(4096, Math.min(segmentBytes, maxBytes / 4));
        ResultSpool spool = new ResultSpool(dir, maxBytes, segment);
        spool.ioThread.start();
        try {
            spool.call(spool::recover);
            return spool;
        } catch (RuntimeException e) {
            spool.shutDown(false);
            throw e;
        }
    }

    /** The on-disk limit; over it the oldest segments are dropped. */
    public long maxBytes() {
        return maxBytes;
    }

    public Path dir() {
        return dir;
    }

    /** Where results that can never be published are kept. */
    public Path deadLetterFile() {
        return deadLetters.file();
    }

    /** Pending entries. */
    public long count() {
        return count;
    }

    /** Bytes of the pending entries (records as stored). */
    public long bytes() {
        return bytes;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Entries dropped by the size limit since this spool was opened. */
    public long dropped() {
        return dropped;
    }

    /** Damaged stretches found in the segments (each logged and copied to the dead-letter file). */
    public long damaged() {
        return damaged;
    }

    /** Records written to the dead-letter file since this spool was opened. */
    public long deadLettered() {
        return deadLettered;
    }

    /** Bytes the segment files take on disk. */
    public long diskBytes() {
        return diskBytes;
    }

    /**
     * Appends one entry and forces it to disk; returns its sequence number (counting appends since open). Does
     * not respond to interrupts (the interrupt flag is kept).
     *
     * @throws IllegalArgumentException if the entry is larger than {@link #MAX_ENTRY_BYTES} or the id is empty or too long
     * @throws UncheckedIOException     if it cannot be written (the entry is then not in the spool)
     * @throws IllegalStateException    after {@link #close}
     */
    public long append(String msgId, byte[] data) {
        Append a = new Append(msgId, codec.encode(msgId, data));
        return await(submit(a));
    }

    /** Up to {@code max} of the oldest entries, oldest first, without removing them. */
    public List<Entry> peek(int max) {
        return call(() -> doPeek(max));
    }

    /**
     * Removes {@code entry}, which must be the oldest pending one (entries are removed in order). An entry that
     * is no longer pending (dropped by the size limit) is ignored.
     */
    public void remove(Entry entry) {
        call(() -> {
            doRemove(entry);
            return null;
        });
    }

    /** Writes the head position now (also done every {@value #COMMIT_EVERY} removals and on close). */
    public void commit() {
        if (closed) {
            return;
        }
        call(() -> {
            doCommit();
            return null;
        });
    }

    /**
     * Writes a result that can never be published to the dead-letter file, durably.
     *
     * @param code the JetStream API error code, or null
     * @throws UncheckedIOException if the file cannot be written
     */
    public void deadLetter(String msgId, String reason, Integer code, byte[] data) {
        call(() -> {
            ensureOpen();
            deadLetters.append(msgId, reason, code, data);
            deadLettered++;
            return null;
        });
    }

    /**
     * Moves the oldest pending {@code entry} to the dead-letter file and removes it from the spool (it can never be
     * published).
     */
    public void deadLetter(Entry entry, String reason, Integer code) {
        call(() -> {
            ensureOpen();
            deadLetters.append(entry.msgId(), reason, code, entry.data());
            deadLettered++;
            doRemove(entry);
            return null;
        });
    }

    /** Commits the head, closes the files and releases the directory. Pending entries stay on disk. */
    @Override
    public void close() {
        shutDown(true);
    }

    @Override
    public String toString() {
        return "ResultSpool[" + dir + ", " + count + " pending, " + bytes + " bytes]";
    }

    // ---- handing work to the I/O thread

    private <T> T call(IoCall<T> call) {
        return await(submit(new Task<>(call)));
    }

    private <T> Task<T> submit(Task<T> task) {
        if (closed) {
            throw new IllegalStateException("result spool " + dir + " is closed");
        }
        boolean interrupted = false;
        try {
            while (!queue.offer(task, 100, TimeUnit.MILLISECONDS)) {
                if (closed || !ioThread.isAlive()) {
                    throw new IllegalStateException("result spool " + dir + " is closed");
                }
            }
            return task;
        } catch (InterruptedException e) {
            interrupted = true;
            return submit(task);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits for the I/O thread, ignoring interrupts (and keeping the flag). If nobody has taken the task up within
     * {@link #HAND_OFF_WAIT} it is cancelled (it will never run); once taken, it is awaited to the end, so the
     * answer is always true.
     */
    private <T> T await(Task<T> task) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + HAND_OFF_WAIT.toNanos();
        try {
            while (true) {
                try {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 && task.cancel()) {
                        throw new UncheckedIOException(new IOException("result spool " + dir + " did not take the request within "
                                + HAND_OFF_WAIT.toSeconds() + " s (disk stuck?); nothing was written"));
                    }
                    if (!ioThread.isAlive() && task.cancel()) {
                        throw new IllegalStateException("result spool " + dir + " is closed");
                    }
                    long wait = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(left, TimeUnit.SECONDS.toNanos(1)));
                    return task.result.get(wait, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    // check the hand-off deadline and the thread again
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof IOException io) {
                        throw new UncheckedIOException("result spool " + dir + ": " + io.getMessage(), io);
                    }
                    throw new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void shutDown(boolean commit) {
        if (closed) {
            return;
        }
        Task<Void> last = new Task<>(() -> {
            closeFiles(commit);
            return null;
        });
        try {
            submit(last);
        } catch (IllegalStateException e) {
            return;
        }
        closed = true; // after the close task is queued: nothing is queued behind it
        try {
            await(last);
        } catch (RuntimeException e) {
            log.warn("result spool {}: closing failed: {}", dir, e.toString());
        }
        boolean interrupted = false;
        while (ioThread.isAlive()) {
            try {
                ioThread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the I/O thread

    private void ioLoop() {
        List<Task<?>> batch = new ArrayList<>(MAX_BATCH);
        boolean stop = false;
        while (!stop) {
            batch.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // nobody should interrupt this thread; it goes on
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            for (Task<?> task : batch) {
                Thread.interrupted(); // never let an interrupt reach a FileChannel
                if (!task.take()) {
                    continue; // its caller gave up before we got to it
                }
                if (task instanceof Append a) {
                    write(a);
                    continue;
                }
                flush(); // in order: appends before this task are durable before it runs
                run(task);
            }
            flush();
            stop = lock == null && closed && queue.isEmpty();
        }
        for (Task<?> t; (t = queue.poll()) != null; ) {
            t.result.completeExceptionally(new IllegalStateException("result spool " + dir + " is closed"));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void run(Task<T> task) {
        try {
            task.result.complete(task.call.run());
        } catch (IOException | RuntimeException e) {
            task.result.completeExceptionally(e);
        } catch (Error e) {
            task.result.completeExceptionally(e);
            throw e;
        }
    }

    /** Writes one record (not yet forced); a failure fails only this append and leaves no bytes behind. */
    private void write(Append a) {
        if (lock == null) {
            a.result.completeExceptionally(new IllegalStateException("result spool " + dir + " is closed"));
            return;
        }
        int length = a.record.remaining();
        try {
            if (writer == null || (writing.size + length > segmentBytes && writing.size > MAGIC.length)) {
                flush();
                roll();
            }
            long offset = writing.size;
            try {
                writeAt(offset, a.record);
            } catch (IOException e) {
                truncateWriting(offset);
                throw e;
            }
            a.segment = writing.id;
            a.offset = offset;
            writing.size = offset + length;
            writing.pendingCount++;
            writing.pendingBytes += length;
            count++;
            bytes += length;
            diskBytes += length;
            unsynced.add(a);
        } catch (IOException | RuntimeException e) {
            a.result.completeExceptionally(new UncheckedIOException(new IOException(
                    "cannot append to result spool " + dir + ": " + e.getMessage(), e)));
        }
    }

    /** Writes at {@code offset} of the segment being written; a channel found closed is reopened once. */
    private void writeAt(long offset, ByteBuffer record) throws IOException {
        try {
            writeFully(writer, record.duplicate(), offset);
        } catch (ClosedChannelException e) {
            writer = FileChannel.open(writing.path, StandardOpenOption.WRITE, StandardOpenOption.READ);
            log.warn("result spool {}: segment {} was closed under the writer; reopened", dir, writing.path.getFileName());
            writeFully(writer, record.duplicate(), offset);
        }
    }

    /** Forces the records written since the last flush and answers their appenders (group commit). */
    private void flush() {
        if (unsynced.isEmpty()) {
            return;
        }
        try {
            try {
                writer.force(false);
            } catch (ClosedChannelException e) {
                // a closed channel proves nothing about the data: reopen and force again
                writer = FileChannel.open(writing.path, StandardOpenOption.WRITE, StandardOpenOption.READ);
                writer.force(false);
            }
            for (Append a : unsynced) {
                a.result.complete(++appendSeq);
            }
        } catch (IOException e) {
            // not durable: take them back out, so that nothing counts as spooled that may not be on disk
            Append first = unsynced.get(0);
            long undoBytes = 0;
            for (Append a : unsynced) {
                undoBytes += a.record.remaining();
                a.result.completeExceptionally(new UncheckedIOException(new IOException(
                        "cannot force result spool " + dir + " to disk: " + e.getMessage(), e)));
            }
            writing.pendingCount -= unsynced.size();
            writing.pendingBytes -= undoBytes;
            count -= unsynced.size();
            bytes -= undoBytes;
            truncateWriting(first.offset);
        } finally {
            unsynced.clear();
        }
        enforceLimit();
    }

    private void truncateWriting(long offset) {
        try {
            writer.truncate(offset);
            diskBytes -= writing.size - offset;
            writing.size = offset;
        } catch (IOException | RuntimeException e) {
            // the next open finds the torn record, copies it to the dead-letter file and drops it
            log.warn("result spool {}: cannot cut {} back to {} bytes: {}", dir, writing.path.getFileName(), offset, e.toString());
        }
    }

    // ---- recovery (on the I/O thread)

    private Void recover() throws IOException {
        DurableFiles.createPrivateDirectories(dir); // 0700: results hold what plugins found
        lockChannel = DurableFiles.openPrivate(dir.resolve("spool.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            closeQuietly(lockChannel);
            throw new IllegalStateException("result spool " + dir + " is in use by another process (or is already open)");
        }
        long[] head = readHead();
        TreeMap<Long, Path> found = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "results-*.seg")) {
            for (Path p : files) {
                Matcher m = SEGMENT.matcher(p.getFileName().toString());
                if (m.matches()) {
                    found.put(Long.parseLong(m.group(1)), p);
                }
            }
        }
        nextSegment = Math.max(head[0], found.isEmpty() ? 0 : found.lastKey()) + 1;
        for (Map.Entry<Long, Path> f : found.entrySet()) {
            long id = f.getKey();
            Path path = f.getValue();
            if (id < head[0]) {
                Files.deleteIfExists(path); // consumed before the last commit
                continue;
            }
            Segment s = open(id, path);
            if (s == null) {
                continue;
            }
            long start = id == head[0] ? Math.max(head[1], MAGIC.length) : MAGIC.length;
            if (start > s.size) {
                log.warn("result spool {}: head offset {} is past the end of {} ({} bytes); segment treated as consumed",
                        dir, start, path.getFileName(), s.size);
                Files.deleteIfExists(path);
                continue;
            }
            tally(s, start);
            if (s.pendingCount > 0) {
                segments.put(id, s);
                count += s.pendingCount;
                bytes += s.pendingBytes;
                diskBytes += s.size;
            } else {
                Files.deleteIfExists(path);
            }
        }
        if (!segments.isEmpty()) {
            Segment first = segments.firstEntry().getValue();
            headSegment = first.id;
            headOffset = first.id == head[0] ? Math.max(head[1], MAGIC.length) : MAGIC.length;
            log.info("result spool {}: {} results ({} bytes) pending from a previous run", dir, count, bytes);
        } else {
            headSegment = nextSegment;
            headOffset = MAGIC.length;
        }
        syncDir(dir);
        return null;
    }

    private long[] readHead() {
        Path file = dir.resolve(HEAD);
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            String[] parts = text.split(" ");
            long segment = Long.parseLong(parts[0]);
            long offset = Long.parseLong(parts[1]);
            if (segment < 0 || offset < 0 || parts.length != 2) {
                throw new NumberFormatException(text);
            }
            return new long[] {segment, offset};
        } catch (NoSuchFileException e) {
            return new long[] {0, 0};
        } catch (IOException | RuntimeException e) {
            log.warn("result spool {}: unreadable head file ({}); starting from the oldest segment "
                    + "(already-published results are published again and deduplicated)", dir, e.toString());
            return new long[] {0, 0};
        }
    }

    /** The segment at {@code path} with its size; null if it is not a segment (moved aside or removed). */
    private Segment open(long id, Path path) throws IOException {
        long size = Files.size(path);
        byte[] first = new byte[MAGIC.length];
        if (size >= MAGIC.length) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                readFully(ch, ByteBuffer.wrap(first), 0);
            }
        }
        if (size < MAGIC.length || !SpoolRecordCodec.isMagic(first)) {
            if (size <= MAGIC.length) {
                log.warn("result spool {}: empty segment {} (crash while creating it), removed", dir, path.getFileName());
                Files.deleteIfExists(path);
                return null;
            }
            Path aside = path.resolveSibling(path.getFileName() + ".corrupt");
            log.error("result spool {}: {} is not a spool segment; moved to {} and skipped", dir, path.getFileName(),
                    aside.getFileName());
            Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
            damaged++;
            return null;
        }
        return new Segment(id, path, size);
    }

    /**
     * Counts the entries of {@code s} from {@code start} (pads skipped), repairing damage on the way: a damaged
     * stretch goes to the dead-letter file, then is padded over (more records follow) or cut off (none do).
     */
    private void tally(Segment s, long start) throws IOException {
        s.pendingCount = 0;
        s.pendingBytes = 0;
        try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long pos = start;
            while (pos < s.size) {
                SpoolRecordCodec.Decoded d = readRecord(ch, s.size, pos);
                if (d == null) {
                    pos = repair(s, ch, pos);
                    continue;
                }
                if (!d.isPadding()) {
                    s.pendingCount++;
                    s.pendingBytes += d.length();
                }
                pos += d.length();
            }
        }
    }

    /** Repairs the damage at {@code pos}; returns where reading goes on (the segment's end if it was cut). */
    private long repair(Segment s, FileChannel ch, long pos) throws IOException {
        long rest = s.size - pos;
        byte[] tail = null;
        if (rest <= MAX_DAMAGE_COPY) {
            tail = new byte[(int) rest];
            readFully(ch, ByteBuffer.wrap(tail), pos);
        }
        int next = -1;
        if (tail != null) {
            for (int p = SpoolRecordCodec.MIN_RECORD; p < tail.length; p++) {
                if (codec.validAt(tail, p)) {
                    next = p;
                    break;
                }
            }
        }
        long end = next < 0 ? s.size : pos + next;
        byte[] bad = tail == null ? new byte[0] : java.util.Arrays.copyOf(tail, (int) (end - pos));
        boolean zeros = tail != null && allZero(bad);
        if (!zeros) {
            String where = s.path.getFileName() + " at offset " + pos;
            try {
                deadLetters.append("damaged:" + where, "spool record damaged (bad length or CRC), " + (end - pos)
                        + " bytes" + (tail == null ? " (too large to copy)" : ""), null, bad);
                deadLettered++;
            } catch (IOException e) {
                log.error("result spool {}: cannot copy the damaged bytes of {} to the dead-letter file: {}", dir, where, e.toString());
            }
        }
        damaged++;
        if (next < 0) {
            log.error("result spool {}: damaged or truncated record at the end of {} (offset {}, {} bytes){}; cut off, "
                    + "the records before it are kept", dir, s.path.getFileName(), pos, end - pos,
                    zeros ? " (zeros only)" : ", copied to " + deadLetters.file());
            ch.truncate(pos);
            ch.force(true);
            s.size = pos;
            return pos;
        }
        log.error("result spool {}: damaged record in {} at offset {} ({} bytes), copied to {} and skipped; "
                + "the records after it are kept", dir, s.path.getFileName(), pos, end - pos, deadLetters.file());
        writeFully(ch, codec.padding((int) (end - pos)), pos);
        ch.force(true);
        return end;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** The record at {@code pos}, or null if it is damaged or cut short. */
    private SpoolRecordCodec.Decoded readRecord(FileChannel ch, long size, long pos) throws IOException {
        if (size - pos < SpoolRecordCodec.MIN_RECORD) {
            return null;
        }
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
        if (readFully(ch, header, pos) < RECORD_HEADER) {
            return null;
        }
        header.flip();
        int body = codec.bodyLength(header, size - pos);
        if (body < 0) {
            return null;
        }
        byte[] data = new byte[body];
        if (readFully(ch, ByteBuffer.wrap(data), pos + RECORD_HEADER) < body) {
            return null;
        }
        return codec.decode(header, data);
    }

    // ---- reading, removing, committing (on the I/O thread)

    private List<Entry> doPeek(int max) throws IOException {
        ensureOpen();
        List<Entry> out = new ArrayList<>(Math.min(max, (int) Math.min(count, 1024)));
        for (Segment s : new ArrayList<>(segments.tailMap(headSegment, true).values())) {
            if (!segments.containsKey(s.id)) {
                continue; // dropped while repairing
            }
            long pos = s.id == headSegment ? headOffset : MAGIC.length;
            long from = pos;
            while (out.size() < max && pos < s.size) {
                SpoolRecordCodec.Decoded d = readRecord(readerFor(s), s.size, pos);
                if (d == null) {
                    repairPending(s);
                    return out; // in order up to the damage; the caller peeks again for the rest
                }
                pos += d.length();
                if (!d.isPadding()) {
                    out.add(new Entry(d.id(), d.payload(), s.id, from, pos, d.length()));
                    from = pos;
                }
            }
            if (out.size() >= max) {
                break;
            }
        }
        return out;
    }

    /** Damage found while reading: repair it and count the segment's entries again. */
    private void repairPending(Segment s) throws IOException {
        closeReader();
        long before = s.pendingCount;
        long beforeBytes = s.pendingBytes;
        long oldSize = s.size;
        tally(s, s.id == headSegment ? headOffset : MAGIC.length);
        diskBytes -= oldSize - s.size;
        count -= before - s.pendingCount;
        bytes -= beforeBytes - s.pendingBytes;
        if (s.pendingCount == 0 && s != writing) {
            deleteSegment(s);
            if (segments.isEmpty() || count == 0) {
                deleteAll();
            } else if (s.id == headSegment) {
                headSegment = segments.firstKey();
                headOffset = MAGIC.length;
            }
        } else if (count == 0) {
            deleteAll();
        }
    }

    private FileChannel readerFor(Segment s) throws IOException {
        if (readerSegment != s.id || reader == null || !reader.isOpen()) {
            closeReader();
            reader = FileChannel.open(s.path, StandardOpenOption.READ);
            readerSegment = s.id;
        }
        return reader;
    }

    private void doRemove(Entry entry) {
        ensureOpen();
        if (count == 0 || entry.segment < headSegment || (entry.segment == headSegment && entry.offset < headOffset)) {
            return;
        }
        if (entry.segment != headSegment || entry.offset != headOffset) {
            throw new IllegalStateException("spool entries are removed oldest first: " + entry + " is not the head "
                    + headSegment + ":" + headOffset);
        }
        Segment s = segments.get(entry.segment);
        s.pendingCount--;
        s.pendingBytes -= entry.recordLength;
        count--;
        bytes -= entry.recordLength;
        headOffset = entry.next;
        if (count == 0) {
            deleteAll();
            return;
        }
        if (s.pendingCount == 0 && s != writing) {
            // a sealed segment, fully published
            deleteSegment(s);
            headSegment = segments.firstKey();
            headOffset = MAGIC.length;
        }
        if (++uncommitted >= COMMIT_EVERY) {
            doCommit();
        }
    }

    private void doCommit() {
        if (lock == null || uncommitted == 0) {
            return;
        }
        try {
            Path tmp = dir.resolve(HEAD + ".tmp");
            try (FileChannel ch = DurableFiles.openPrivate(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.wrap((headSegment + " " + headOffset + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                ch.force(true);
            }
            try {
                Files.move(tmp, dir.resolve(HEAD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(HEAD), StandardCopyOption.REPLACE_EXISTING);
            }
            syncDir(dir); // the rename itself is durable only once the directory is
            uncommitted = 0;
            headFailing = false;
        } catch (IOException e) {
            // not fatal: after a crash, already-published entries are published again (and deduplicated)
            if (!headFailing) {
                headFailing = true;
                log.warn("result spool {}: cannot write the head position (retried at each removal, logged once): {}",
                        dir, e.toString());
            }
        }
    }

    private void closeFiles(boolean commit) {
        if (commit) {
            doCommit();
        }
        closed = true;
        closeQuietly(writer);
        closeReader();
        writer = null;
        writing = null;
        if (lock != null) {
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel releases it too
            }
            lock = null;
        }
        closeQuietly(lockChannel);
    }

    // ---- segments (on the I/O thread)

    private void roll() throws IOException {
        if (writer != null) {
            closeQuietly(writer); // its records were forced by flush()
            writer = null;
            if (writing.pendingCount == 0) {
                deleteSegment(writing); // all published meanwhile
            }
            writing = null;
        }
        long id = nextSegment++;
        Path path = dir.resolve(String.format("results-%020d.seg", id));
        FileChannel ch = DurableFiles.openPrivate(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ); // 0600
        try {
            writeFully(ch, ByteBuffer.wrap(MAGIC), 0);
            ch.force(true);
        } catch (IOException e) {
            closeQuietly(ch);
            Files.deleteIfExists(path);
            throw e;
        }
        syncDir(dir);
        writer = ch;
        writing = new Segment(id, path, MAGIC.length);
        diskBytes += MAGIC.length;
        segments.put(id, writing);
        if (!segments.containsKey(headSegment)) {
            headSegment = segments.firstKey();
            headOffset = MAGIC.length;
        }
    }

    private void enforceLimit() {
        if (diskBytes <= maxBytes || segments.size() < 2) {
            return;
        }
        long lost = 0;
        while (diskBytes > maxBytes && segments.size() > 1) {
            Segment oldest = segments.firstEntry().getValue();
            lost += oldest.pendingCount;
            dropSegment(oldest);
        }
        log.error("result spool {} is full (limit {} bytes): dropped the {} oldest unpublished results; "
                + "{} results pending, {} dropped since start", dir, maxBytes, lost, count, dropped);
    }

    /** Forgets a sealed segment's pending entries (they are lost) and deletes it. */
    private void dropSegment(Segment s) {
        count -= s.pendingCount;
        bytes -= s.pendingBytes;
        dropped += s.pendingCount;
        deleteSegment(s);
        if (s.id == headSegment) {
            headSegment = segments.firstKey();
            headOffset = MAGIC.length;
        }
        uncommitted++;
        doCommit();
    }

    private void deleteSegment(Segment s) {
        segments.remove(s.id);
        diskBytes -= s.size;
        if (readerSegment == s.id) {
            closeReader();
        }
        try {
            Files.deleteIfExists(s.path);
        } catch (IOException e) {
            log.warn("result spool {}: cannot delete {}: {}", dir, s.path.getFileName(), e.toString());
        }
    }

    /** Nothing pending: delete every segment (the next append starts a new one). */
    private void deleteAll() {
        closeQuietly(writer);
        writer = null;
        writing = null;
        for (Segment s : new ArrayList<>(segments.values())) {
            deleteSegment(s);
        }
        count = 0;
        bytes = 0;
        diskBytes = 0;
        headSegment = nextSegment;
        headOffset = MAGIC.length;
        uncommitted = 0;
    }

    private void closeReader() {
        closeQuietly(reader);
        reader = null;
        readerSegment = -1;
    }

    private void ensureOpen() {
        if (lock == null) {
            throw new IllegalStateException("result spool " + dir + " is closed");
        }
    }

    static void syncDir(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not supported everywhere; the file data itself is forced
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
    }

    private static int readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
