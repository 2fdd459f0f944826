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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local, append-only, fsync'd queue of results waiting for NATS: {@link #append} is durable when it returns,
 * {@link #peek} reads the oldest entries in order, {@link #remove} drops an entry once it is published. A new
 * spool on the same directory (after a restart or a crash) sees the pending entries, in order.
 *
 * <h2>On disk</h2>
 * <ul>
 * <li>{@code results-<20 digit number>.seg}: segments, oldest first. Each starts with the 8 bytes
 *     {@code ARSPOOL1}, then records: {@code int32 bodyLength, int32 crc32c(body), body}, where body is
 *     {@code uint16 idLength, id (UTF-8), payload}. Big-endian. A segment is appended to until it reaches the
 *     segment size, then a new one starts; a fully consumed segment is deleted, and when the spool becomes
 *     empty every segment is deleted.</li>
 * <li>{@code head}: the position of the oldest pending entry ({@code "<segment> <offset>\n"}), replaced
 *     atomically (write, fsync, rename) every {@value #COMMIT_EVERY} removals and on close. After a crash,
 *     up to that many already-published entries are published again: harmless, since JetStream drops them by
 *     their Nats-Msg-Id within the stream's duplicate window.</li>
 * <li>{@code spool.lock}: held (an OS file lock) while the spool is open, so two processes cannot share it.</li>
 * </ul>
 *
 * <h2>Damage</h2>
 * Opening scans the pending records (one at a time: memory stays bounded) and checks lengths and CRCs. A bad or
 * truncated record (a crash mid-write, a torn page) ends that segment: the warning names the segment, offset
 * and bytes dropped, the file is truncated there, and the entries before it are kept. A file without the
 * segment header is renamed to {@code *.corrupt} and skipped.
 *
 * <h2>Limits</h2>
 * One entry is at most {@value #MAX_ENTRY_BYTES} bytes. The spool keeps at most {@code maxBytes} on disk: when
 * an append goes over, the <em>oldest</em> segments are deleted (the newest results are kept, as they describe
 * the current state) and an ERROR line says how many results were lost. The limit is enforced per segment, so
 * the spool may exceed it by up to one segment.
 *
 * <p>Thread-safe: every method but {@link #append} is synchronized on the spool; an append writes its record
 * under that lock and waits for the fsync outside it, so concurrent appenders share one fsync (group commit).
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

    static final byte[] MAGIC = "ARSPOOL1".getBytes(StandardCharsets.US_ASCII);
    static final int RECORD_HEADER = 8;
    private static final Pattern SEGMENT = Pattern.compile("results-(\\d{20})\\.seg");
    private static final String HEAD = "head";
    private static final Logger log = LoggerFactory.getLogger(ResultSpool.class);

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Segments with pending entries (and the one being written), oldest first. */
    private final TreeMap<Long, Segment> segments = new TreeMap<>();

    private long headSegment;
    private long headOffset;
    private long nextSegment;
    private FileChannel writer;
    private Segment writing;
    private FileChannel reader;
    private long readerSegment = -1;
    private long count;
    private long bytes;
    private long dropped;
    private int uncommitted;
    private boolean closed;
    /** Records written (guarded by this) and forced to disk (group commit). */
    private long writeSeq;
    private final AtomicLong synced = new AtomicLong();
    private final Object syncLock = new Object();

    /** One pending entry, as {@link #peek} returns it; hand it back to {@link #remove} once published. */
    public static final class Entry {
        private final String msgId;
        private final byte[] data;
        final long segment;
        final long offset;
        final long next;

        Entry(String msgId, byte[] data, long segment, long offset, long next) {
            this.msgId = msgId;
            this.data = data;
            this.segment = segment;
            this.offset = offset;
            this.next = next;
        }

        public String msgId() {
            return msgId;
        }

        /** The payload (not copied: do not modify). */
        public byte[] data() {
            return data;
        }

        long size() {
            return next - offset;
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

    private ResultSpool(Path dir, long maxBytes, long segmentBytes, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
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
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve("spool.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("result spool " + dir + " is in use by another process (or is already open)");
            }
            ResultSpool spool = new ResultSpool(dir, maxBytes, segment, lockChannel, lock);
            spool.recover();
            return spool;
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new UncheckedIOException("cannot open result spool " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
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

    /** Pending entries. */
    public synchronized long count() {
        return count;
    }

    /** Bytes of the pending entries (records as stored). */
    public synchronized long bytes() {
        return bytes;
    }

    public synchronized boolean isEmpty() {
        return count == 0;
    }

    /** Entries dropped by the size limit (or damage found while reading) since this spool was opened. */
    public synchronized long dropped() {
        return dropped;
    }

    /** Bytes the segment files take on disk. */
    public synchronized long diskBytes() {
        long sum = 0;
        for (Segment s : segments.values()) {
            sum += s.size;
        }
        return sum;
    }

    /**
     * Appends one entry and forces it to disk.
     *
     * @throws IllegalArgumentException if the entry is larger than {@link #MAX_ENTRY_BYTES} or the id is too long
     * @throws UncheckedIOException     if it cannot be written (the entry is then not in the spool)
     * @throws IllegalStateException    after {@link #close}
     */
    public void append(String msgId, byte[] data) {
        long seq = write(msgId, data);
        awaitDurable(seq);
    }

    /** Writes the record (not yet forced): its sequence number for {@link #awaitDurable}. */
    synchronized long write(String msgId, byte[] data) {
        ensureOpen();
        byte[] id = msgId.getBytes(StandardCharsets.UTF_8);
        if (id.length > 0xFFFF) {
            throw new IllegalArgumentException("spool entry id longer than 65535 bytes");
        }
        long body = 2L + id.length + data.length;
        if (body > MAX_ENTRY_BYTES) {
            throw new IllegalArgumentException("spool entry " + msgId + " has " + body + " bytes, more than " + MAX_ENTRY_BYTES);
        }
        int record = RECORD_HEADER + (int) body;
        try {
            if (writer == null || (writing.size + record > segmentBytes && writing.size > MAGIC.length)) {
                roll();
            }
            ByteBuffer buf = ByteBuffer.allocate(record);
            buf.position(RECORD_HEADER);
            buf.putShort((short) id.length).put(id).put(data);
            CRC32C crc = new CRC32C();
            crc.update(buf.array(), RECORD_HEADER, (int) body);
            buf.putInt(0, (int) body).putInt(4, (int) crc.getValue());
            buf.flip();
            long offset = writing.size;
            try {
                writeFully(writer, buf, offset);
            } catch (IOException e) {
                // leave no half record behind: the next append would land after it
                try {
                    writer.truncate(offset);
                } catch (IOException ignored) {
                    // the next open finds and drops the torn record
                }
                throw e;
            }
            writing.size = offset + record;
            writing.pendingCount++;
            writing.pendingBytes += record;
            if (count == 0) {
                headSegment = writing.id;
                headOffset = offset;
            }
            count++;
            bytes += record;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to result spool " + dir + ": " + e.getMessage(), e);
        }
        long seq = ++writeSeq;
        enforceLimit();
        return seq;
    }

    /**
     * Group commit: one fsync covers every record written before it started, so concurrent appenders share
     * fsyncs. Records of a segment that was closed since were forced before it was closed (or are gone: published
     * or dropped).
     */
    void awaitDurable(long seq) {
        if (synced.get() >= seq) {
            return;
        }
        synchronized (syncLock) {
            if (synced.get() >= seq) {
                return;
            }
            FileChannel ch;
            long target;
            synchronized (this) {
                ch = writer;
                target = writeSeq;
            }
            if (ch != null) {
                try {
                    ch.force(false);
                } catch (ClosedChannelException e) {
                    // closed meanwhile: forced by roll(), or its entries are no longer pending
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot force result spool " + dir + " to disk: " + e.getMessage(), e);
                }
            }
            synced.accumulateAndGet(target, Math::max);
        }
    }

    /** Up to {@code max} of the oldest entries, oldest first, without removing them. */
    public synchronized List<Entry> peek(int max) {
        ensureOpen();
        List<Entry> out = new ArrayList<>(Math.min(max, (int) Math.min(count, 1024)));
        if (count == 0) {
            return out;
        }
        for (Segment s : new ArrayList<>(segments.tailMap(headSegment, true).values())) {
            long pos = s.id == headSegment ? headOffset : MAGIC.length;
            while (out.size() < max && pos < s.size) {
                Entry e;
                try {
                    e = read(s, pos);
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot read result spool " + s.path + ": " + ex.getMessage(), ex);
                }
                if (e == null) {
                    log.error("result spool {}: damaged record at offset {}; dropping the {} pending results of this segment",
                            s.path, pos, s.pendingCount);
                    dropSegment(s);
                    break;
                }
                out.add(e);
                pos = e.next;
            }
            if (out.size() >= max) {
                break;
            }
        }
        return out;
    }

    /**
     * Removes {@code entry}, which must be the oldest pending one (entries are removed in order). An entry that
     * is no longer pending (dropped by the size limit) is ignored.
     */
    public synchronized void remove(Entry entry) {
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
        s.pendingBytes -= entry.size();
        count--;
        bytes -= entry.size();
        headOffset = entry.next;
        if (count == 0) {
            deleteAll();
            return;
        }
        if (s.pendingCount == 0) {
            // a sealed segment, fully published (the one being written always holds the newest entry)
            deleteSegment(s);
            Map.Entry<Long, Segment> next = segments.firstEntry();
            headSegment = next.getKey();
            headOffset = MAGIC.length;
        }
        if (++uncommitted >= COMMIT_EVERY) {
            commit();
        }
    }

    /** Writes the head position now (also done every {@value #COMMIT_EVERY} removals and on close). */
    public synchronized void commit() {
        if (closed || uncommitted == 0) {
            return;
        }
        try {
            Path tmp = dir.resolve(HEAD + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.wrap((headSegment + " " + headOffset + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                ch.force(true);
            }
            try {
                Files.move(tmp, dir.resolve(HEAD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(HEAD), StandardCopyOption.REPLACE_EXISTING);
            }
            uncommitted = 0;
        } catch (IOException e) {
            // not fatal: after a crash, already-published entries are published again (and deduplicated)
            log.warn("result spool {}: cannot write the head position: {}", dir, e.toString());
        }
    }

    /** Commits the head, closes the files and releases the directory. Pending entries stay on disk. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        commit();
        closed = true;
        if (writer != null) {
            try {
                writer.force(false);
            } catch (IOException e) {
                log.warn("result spool {}: cannot force the last segment to disk: {}", dir, e.toString());
            }
        }
        synced.accumulateAndGet(writeSeq, Math::max);
        closeQuietly(writer);
        closeQuietly(reader);
        writer = null;
        reader = null;
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(lockChannel);
    }

    @Override
    public synchronized String toString() {
        return "ResultSpool[" + dir + ", " + count + " pending, " + bytes + " bytes]";
    }

    // ---- recovery

    private void recover() throws IOException {
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
            Segment s = scan(id, path, id == head[0] ? head[1] : MAGIC.length);
            if (s != null && s.pendingCount > 0) {
                segments.put(id, s);
            } else if (s != null) {
                Files.deleteIfExists(path);
            }
        }
        if (!segments.isEmpty()) {
            Segment first = segments.firstEntry().getValue();
            headSegment = first.id;
            headOffset = first.id == head[0] ? Math.max(head[1], MAGIC.length) : MAGIC.length;
            log.info("result spool {}: {} results ({} bytes) pending from a previous run", dir, count, bytes);
        }
        syncDir();
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

    /** Checks the records of one segment from {@code start}; returns null if the file is not a segment. */
    private Segment scan(long id, Path path, long start) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
            if (size < MAGIC.length || readFully(ch, magic, 0) < MAGIC.length || !java.util.Arrays.equals(magic.array(), MAGIC)) {
                if (size <= MAGIC.length) {
                    log.warn("result spool {}: empty segment {} (crash while creating it), removed", dir, path.getFileName());
                    Files.deleteIfExists(path);
                    return null;
                }
                Path aside = path.resolveSibling(path.getFileName() + ".corrupt");
                log.warn("result spool {}: {} is not a spool segment; moved to {} and skipped", dir, path.getFileName(),
                        aside.getFileName());
                Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
                return null;
            }
            Segment s = new Segment(id, path, size);
            long pos = Math.max(start, MAGIC.length);
            if (pos > size) {
                log.warn("result spool {}: head offset {} is past the end of {} ({} bytes); segment treated as consumed",
                        dir, pos, path.getFileName(), size);
                return s;
            }
            ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
            while (pos < size) {
                int length = recordLength(ch, header, pos, size);
                if (length < 0) {
                    log.warn("result spool {}: corrupt or truncated record in {} at offset {}: {} bytes dropped, "
                            + "the {} entries before it are kept", dir, path.getFileName(), pos, size - pos, s.pendingCount);
                    ch.truncate(pos);
                    ch.force(true);
                    s.size = pos;
                    break;
                }
                s.pendingCount++;
                s.pendingBytes += length;
                pos += length;
            }
            count += s.pendingCount;
            bytes += s.pendingBytes;
            return s;
        }
    }

    /** Length of the valid record at {@code pos} (header included), or -1 if it is damaged or cut short. */
    private static int recordLength(FileChannel ch, ByteBuffer header, long pos, long size) throws IOException {
        if (size - pos < RECORD_HEADER) {
            return -1;
        }
        header.clear();
        if (readFully(ch, header, pos) < RECORD_HEADER) {
            return -1;
        }
        int body = header.getInt(0);
        int crc = header.getInt(4);
        if (body < 2 || body > MAX_ENTRY_BYTES || size - pos - RECORD_HEADER < body) {
            return -1;
        }
        ByteBuffer buf = ByteBuffer.allocate(body);
        if (readFully(ch, buf, pos + RECORD_HEADER) < body) {
            return -1;
        }
        CRC32C c = new CRC32C();
        c.update(buf.array(), 0, body);
        if ((int) c.getValue() != crc || (buf.getShort(0) & 0xFFFF) > body - 2) {
            return -1;
        }
        return RECORD_HEADER + body;
    }

    // ---- reading and writing

    private Entry read(Segment s, long pos) throws IOException {
        if (readerSegment != s.id) {
            closeQuietly(reader);
            reader = null;
            readerSegment = -1;
            reader = FileChannel.open(s.path, StandardOpenOption.READ);
            readerSegment = s.id;
        }
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
        if (s.size - pos < RECORD_HEADER || readFully(reader, header, pos) < RECORD_HEADER) {
            return null;
        }
        int body = header.getInt(0);
        if (body < 2 || body > MAX_ENTRY_BYTES || s.size - pos - RECORD_HEADER < body) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate(body);
        if (readFully(reader, buf, pos + RECORD_HEADER) < body) {
            return null;
        }
        CRC32C c = new CRC32C();
        c.update(buf.array(), 0, body);
        int idLength = buf.getShort(0) & 0xFFFF;
        if ((int) c.getValue() != header.getInt(4) || idLength > body - 2) {
            return null;
        }
        String id = new String(buf.array(), 2, idLength, StandardCharsets.UTF_8);
        byte[] data = java.util.Arrays.copyOfRange(buf.array(), 2 + idLength, body);
        return new Entry(id, data, s.id, pos, pos + RECORD_HEADER + body);
    }

    private void roll() throws IOException {
        if (writer != null) {
            writer.force(false);
            synced.accumulateAndGet(writeSeq, Math::max);
            closeQuietly(writer);
            writer = null;
            writing = null;
        }
        long id = nextSegment++;
        Path path = dir.resolve(String.format("results-%020d.seg", id));
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        try {
            writeFully(ch, ByteBuffer.wrap(MAGIC), 0);
            ch.force(true);
        } catch (IOException e) {
            closeQuietly(ch);
            Files.deleteIfExists(path);
            throw e;
        }
        syncDir();
        writer = ch;
        writing = new Segment(id, path, MAGIC.length);
        segments.put(id, writing);
    }

    private void enforceLimit() {
        long disk = diskBytes();
        if (disk <= maxBytes || segments.size() < 2) {
            return;
        }
        long lost = 0;
        while (disk > maxBytes && segments.size() > 1) {
            Segment oldest = segments.firstEntry().getValue();
            disk -= oldest.size;
            lost += oldest.pendingCount;
            dropSegment(oldest);
        }
        log.error("result spool {} is full (limit {} bytes): dropped the {} oldest unpublished results; "
                + "{} results pending, {} dropped since start", dir, maxBytes, lost, count, dropped);
    }

    /** Forgets a segment's pending entries (they are lost) and deletes it. */
    private void dropSegment(Segment s) {
        count -= s.pendingCount;
        bytes -= s.pendingBytes;
        dropped += s.pendingCount;
        if (s == writing) {
            closeQuietly(writer);
            writer = null;
            writing = null;
            synced.accumulateAndGet(writeSeq, Math::max); // what it held is dropped
        }
        deleteSegment(s);
        if (segments.isEmpty()) {
            count = 0;
            bytes = 0;
        } else if (s.id == headSegment) {
            headSegment = segments.firstKey();
            headOffset = MAGIC.length;
        }
        uncommitted++;
        commit();
    }

    private void deleteSegment(Segment s) {
        segments.remove(s.id);
        if (readerSegment == s.id) {
            closeQuietly(reader);
            reader = null;
            readerSegment = -1;
        }
        try {
            Files.deleteIfExists(s.path);
        } catch (IOException e) {
            log.warn("result spool {}: cannot delete {}: {}", dir, s.path.getFileName(), e.toString());
        }
    }

    /** Nothing pending: delete every segment (the next append starts a new one). */
    private void deleteAll() {
        synced.accumulateAndGet(writeSeq, Math::max); // nothing pending: nothing left to force
        closeQuietly(writer);
        writer = null;
        writing = null;
        for (Segment s : new ArrayList<>(segments.values())) {
            deleteSegment(s);
        }
        count = 0;
        bytes = 0;
        headSegment = nextSegment;
        headOffset = MAGIC.length;
        uncommitted = 0;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("result spool " + dir + " is closed");
        }
    }

    private void syncDir() {
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
