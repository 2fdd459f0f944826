package io.ccf.ar.runtime.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk spool, without NATS. */
class ResultSpoolTest {
    @TempDir
    Path dir;

    private static byte[] payload(int i) {
        return ("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(i % 50) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> drainIds(ResultSpool spool, int batch) {
        List<String> ids = new ArrayList<>();
        while (!spool.isEmpty()) {
            for (ResultSpool.Entry e : spool.peek(batch)) {
                ids.add(e.msgId());
                spool.remove(e);
            }
        }
        return ids;
    }

    private static List<String> ids(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("id-" + i);
        }
        return out;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void entriesComeBackInOrderAndAreRemoved() {
        try (ResultSpool spool = ResultSpool.open(dir)) {
            assertTrue(spool.isEmpty());
            for (int i = 0; i < 100; i++) {
                spool.append("id-" + i, payload(i));
            }
            assertEquals(100, spool.count());
            assertTrue(spool.bytes() > 100 * 8);
            List<ResultSpool.Entry> first = spool.peek(10);
            assertEquals(10, first.size());
            assertEquals("id-0", first.get(0).msgId());
            assertArrayEquals(payload(0), first.get(0).data());
            // peek does not remove
            assertEquals("id-0", spool.peek(1).get(0).msgId());
            assertThrows(IllegalStateException.class, () -> spool.remove(first.get(1)));
            assertEquals(ids(0, 100), drainIds(spool, 7));
            assertEquals(0, spool.bytes());
        }
    }

    @Test
    void pendingEntriesSurviveReopenInOrder() throws IOException {
        try (ResultSpool spool = ResultSpool.open(dir, 1 << 20, 4096)) {
            for (int i = 0; i < 300; i++) {
                spool.append("id-" + i, payload(i));
            }
            assertTrue(segments().size() > 3, "several segments: " + segments());
            // publish 130 of them: more than one commit interval and the first segments
            for (int n = 0; n < 130; ) {
                for (ResultSpool.Entry e : spool.peek(50)) {
                    if (n++ < 130) {
                        spool.remove(e);
                    }
                }
            }
            assertEquals(170, spool.count());
        }
        try (ResultSpool spool = ResultSpool.open(dir, 1 << 20, 4096)) {
            assertEquals(170, spool.count());
            spool.append("id-300", payload(300));
            assertEquals(ids(130, 301), drainIds(spool, 64));
            assertEquals(List.of(), segments(), "an empty spool keeps no segment");
        }
        try (ResultSpool spool = ResultSpool.open(dir)) {
            assertTrue(spool.isEmpty());
        }
    }

    @Test
    void aCrashBetweenCommitsRepublishesAtMostOneCommitInterval() throws IOException {
        Path crashed = dir.resolve("crashed");
        Path live = dir.resolve("live");
        try (ResultSpool spool = ResultSpool.open(live)) {
            for (int i = 0; i < 100; i++) {
                spool.append("id-" + i, payload(i));
            }
            for (ResultSpool.Entry e : spool.peek(70)) {
                spool.remove(e);
            }
            // the files as a crash (no close) would leave them
            Files.createDirectories(crashed);
            try (Stream<Path> files = Files.list(live)) {
                for (Path f : files.toList()) {
                    Files.copy(f, crashed.resolve(f.getFileName()));
                }
            }
        }
        try (ResultSpool spool = ResultSpool.open(crashed)) {
            assertEquals(100 - ResultSpool.COMMIT_EVERY, spool.count());
            assertEquals(ids(ResultSpool.COMMIT_EVERY, 100), drainIds(spool, 64));
        }
        try (ResultSpool spool = ResultSpool.open(live)) {
            assertEquals(30, spool.count(), "close commits");
        }
    }

    @Test
    void truncatedTailIsSkippedAndTheRestKept() throws IOException {
        try (ResultSpool spool = ResultSpool.open(dir)) {
            for (int i = 0; i < 10; i++) {
                spool.append("id-" + i, payload(i));
            }
        }
        Path seg = segments().get(0);
        long size = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(size - 5); // the last record cut short, as by a crash mid-write
        }
        try (ResultSpool spool = ResultSpool.open(dir)) {
            assertEquals(9, spool.count());
            spool.append("id-10", payload(10));
            List<String> expected = ids(0, 9);
            expected.add("id-10");
            assertEquals(expected, drainIds(spool, 64));
        }
    }

    @Test
    void garbageAfterTheLastRecordAndBadCrcAreDetected() throws IOException {
        try (ResultSpool spool = ResultSpool.open(dir)) {
            for (int i = 0; i < 5; i++) {
                spool.append("id-" + i, payload(i));
            }
        }
        Path seg = segments().get(0);
        Files.write(seg, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, java.nio.file.StandardOpenOption.APPEND);
        try (ResultSpool spool = ResultSpool.open(dir)) {
            assertEquals(5, spool.count(), "zero-filled tail dropped");
        }
        // flip a byte in the payload of the 4th record: it goes to the dead-letter file, the others stay
        long offset = ResultSpool.MAGIC.length;
        byte[] bytes = Files.readAllBytes(seg);
        for (int i = 0; i < 3; i++) {
            int body = java.nio.ByteBuffer.wrap(bytes, (int) offset, 4).getInt();
            offset += ResultSpool.RECORD_HEADER + body;
        }
        bytes[(int) offset + ResultSpool.RECORD_HEADER + 4] ^= 0x55;
        Files.write(seg, bytes);
        try (ResultSpool spool = ResultSpool.open(dir)) {
            assertEquals(1, spool.damaged());
            assertEquals(1, spool.deadLettered());
            assertEquals(List.of("id-0", "id-1", "id-2", "id-4"), drainIds(spool, 64));
        }
        List<String> dead = Files.readAllLines(dir.resolve("dead-letter").resolve("dead-letters.jsonl"));
        assertEquals(1, dead.size(), "the damaged record, as raw bytes");
        assertTrue(dead.get(0).contains("damaged"), dead.get(0));
        try (ResultSpool spool = ResultSpool.open(dir)) {
            assertEquals(0, spool.damaged(), "repaired for good: nothing found again");
            assertTrue(spool.isEmpty());
        }
    }

    @Test
    void aSegmentWithoutHeaderIsMovedAside() throws IOException {
        try (ResultSpool spool = ResultSpool.open(dir)) {
            spool.append("id-0", payload(0));
        }
        Files.writeString(dir.resolve(String.format("results-%020d.seg", 999)), "not a spool segment at all");
        try (ResultSpool spool = ResultSpool.open(dir)) {
            assertEquals(ids(0, 1), drainIds(spool, 64));
        }
        assertTrue(Files.exists(dir.resolve(String.format("results-%020d.seg.corrupt", 999))));
    }

    @Test
    void overTheLimitTheOldestSegmentsAreDropped() {
        try (ResultSpool spool = ResultSpool.open(dir, 16384, 4096)) {
            byte[] kb = new byte[1000];
            for (int i = 0; i < 40; i++) {
                spool.append("id-" + i, kb);
            }
            assertTrue(spool.diskBytes() <= 16384 + 4096, "disk " + spool.diskBytes());
            assertTrue(spool.dropped() > 0);
            assertEquals(40, spool.count() + spool.dropped());
            List<String> left = drainIds(spool, 64);
            assertEquals(ids(40 - left.size(), 40), left, "the newest are kept, in order");
        }
    }

    @Test
    void removingAnEntryDroppedMeanwhileIsIgnored() {
        try (ResultSpool spool = ResultSpool.open(dir, 16384, 4096)) {
            byte[] kb = new byte[1000];
            spool.append("id-0", kb);
            ResultSpool.Entry oldest = spool.peek(1).get(0);
            for (int i = 1; i < 40; i++) {
                spool.append("id-" + i, kb);
            }
            long before = spool.count();
            spool.remove(oldest);
            assertEquals(before, spool.count());
        }
    }

    @Test
    void interruptedAppendersNeitherCloseTheSpoolNorLoseTheirEntry() throws Exception {
        try (ResultSpool spool = ResultSpool.open(dir)) {
            int threads = 4;
            int each = 100;
            List<Thread> workers = new ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger flagsKept = new java.util.concurrent.atomic.AtomicInteger();
            for (int t = 0; t < threads; t++) {
                int base = t * 1000;
                workers.add(new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        Thread.currentThread().interrupt(); // a run cancelled at its deadline
                        try {
                            spool.append("id-" + (base + i), payload(i));
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                        }
                        if (Thread.interrupted()) {
                            flagsKept.incrementAndGet();
                        }
                    }
                }));
            }
            workers.forEach(Thread::start);
            for (Thread w : workers) {
                w.join();
            }
            assertEquals(0, failures.get());
            assertEquals(threads * each, flagsKept.get(), "the caller's interrupt is kept");
            assertEquals(threads * each, spool.count());
            spool.append("id-after", payload(1)); // the files are still open
            assertEquals(threads * each + 1, drainIds(spool, 64).size());
        }
    }

    @Test
    void aFailedAppendIsNotInTheSpool() {
        try (ResultSpool spool = ResultSpool.open(dir)) {
            assertThrows(IllegalArgumentException.class, () -> spool.append("", payload(0)));
            spool.append("id-0", payload(0));
            assertEquals(List.of("id-0"), drainIds(spool, 8));
        }
    }

    @Test
    void theHeadIsWrittenAtomically() throws IOException {
        try (ResultSpool spool = ResultSpool.open(dir)) {
            for (int i = 0; i < 10; i++) {
                spool.append("id-" + i, payload(i));
            }
            spool.remove(spool.peek(1).get(0));
            spool.commit();
            assertTrue(Files.readString(dir.resolve("head")).matches("\\d+ \\d+\n"));
            assertTrue(Files.notExists(dir.resolve("head.tmp")), "renamed into place");
        }
    }

    @Test
    void oneProcessAtATime() {
        try (ResultSpool spool = ResultSpool.open(dir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ResultSpool.open(dir));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        }
        ResultSpool.open(dir).close();
    }

    @Test
    void tooLargeEntriesAreRefused() {
        try (ResultSpool spool = ResultSpool.open(dir)) {
            assertThrows(IllegalArgumentException.class, () -> spool.append("big", new byte[ResultSpool.MAX_ENTRY_BYTES]));
            assertTrue(spool.isEmpty());
        }
    }

    /** Not an assertion: how fast fsync'd appends are here, from one thread and from eight (group commit). */
    @Test
    void appendRate() throws Exception {
        try (ResultSpool spool = ResultSpool.open(dir)) {
            byte[] data = new byte[1500];
            int n = 300;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                spool.append("id-" + i, data);
            }
            long t1 = System.nanoTime();
            drainIds(spool, 64);
            long t2 = System.nanoTime();
            int threads = 8;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            long t3 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int base = t * 1000;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < n; i++) {
                        spool.append("id-" + (base + i), data);
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
            long t4 = System.nanoTime();
            pool.shutdown();
            assertEquals(threads * n, spool.count());
            System.out.printf("spool: %d fsync'd appends/s from 1 thread, %d/s from %d threads, %d removes/s%n",
                    n * 1_000_000_000L / (t1 - t0), threads * n * 1_000_000_000L / (t4 - t3), threads,
                    n * 1_000_000_000L / Math.max(1, t2 - t1));
        }
    }
}
