package io.ccf.ar.runtime.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Process-table checks for tests: live processes only (PID 1 here does not reap orphans, so zombies linger). */
public final class Processes {
    private Processes() {
    }

    /** Pids of live (not zombie) processes whose command line contains {@code marker}. */
    public static List<Long> liveWithCommandLineContaining(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .map(ProcessHandle::pid)
                .filter(Processes::isLive)
                .toList();
    }

    /** True while the process exists and is not a zombie. */
    public static boolean isLive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // state is the field after the parenthesised command name
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls {@code condition} until true or the timeout; for conditions no event signals (another process's exit). */
    public static boolean eventually(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }
}
