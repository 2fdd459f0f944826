package io.ccf.ar.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** Checks on the plugin's child process, by pid, independent of the harness. */
final class ChildProcesses {
    private ChildProcesses() {
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The harness returns only once the child is gone (and reaped), so no waiting here. */
    static void assertGone(long pid) {
        assertFalse(isAlive(pid), "plugin process " + pid + " is still running");
    }
}
