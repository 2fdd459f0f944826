package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Kills a plugin process and whatever it started. {@link ProcessHandle#descendants()} alone races with
 * a plugin that forks while it is being killed (a child forked after the listing is re-parented and
 * lost), so when the launcher put the plugin in a session of its own ({@code setsid}), the process
 * group it leads is swept too, from {@code /proc}, after the leader is dead and can fork no more.
 * Processes that leave the group themselves (daemons) are out of reach, as with go-plugin.
 */
final class ProcessTree {
    private static final int SWEEPS = 20;

    private ProcessTree() {
    }

    /** SIGKILL to the process, its descendants and (with {@code ownGroup}) its process group; waits for the process. */
    static void kill(Process process, boolean ownGroup) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownGroup) {
            killGroup(process.pid());
        }
    }

    /** Kills every live member of process group {@code pgid} until none is left (members may fork meanwhile). */
    static void killGroup(long pgid) {
        long self = ProcessHandle.current().pid();
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            List<ProcessHandle> members = ProcessHandle.allProcesses()
                    .filter(p -> p.pid() != self && groupOf(p.pid()).orElse(-1) == pgid)
                    .toList();
            if (members.isEmpty()) {
                return;
            }
            members.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : members) {
                try {
                    p.onExit().get(1, TimeUnit.SECONDS);
                } catch (Exception notYet) {
                    // checked again by the next sweep
                }
            }
        }
    }

    /** The process group of a live (not zombie) process, from /proc/PID/stat. */
    static OptionalLong groupOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // state ppid pgrp ...
            if (fields[0].equals("Z") || fields[0].equals("X")) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(Long.parseLong(fields[2]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
