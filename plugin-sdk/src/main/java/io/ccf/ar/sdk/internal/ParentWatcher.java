package io.ccf.ar.sdk.internal;

/**
 * Ends the plugin when the process that started it is gone (go-plugin's most
 * common complaint is orphaned plugins).
 *
 * <p>How: a daemon thread compares the parent pid with the one seen at start,
 * every 500 ms. When the parent dies the kernel re-parents this process (to
 * init or a subreaper) at once, so the parent pid changes; comparing pids is
 * therefore immune to pid reuse, and one read of {@code /proc/self/stat} twice a
 * second costs nothing measurable. {@code ProcessHandle.onExit()} was not used:
 * for a process that is not our child the JDK polls with a back-off growing to
 * 5 s, and it would report a zombie parent as alive.
 *
 * <p>Exit code: 0, through the normal stop sequence (provider shutdown, socket
 * removed). Nobody is left to read the code, and the plugin did not fail; it
 * was abandoned.
 */
final class ParentWatcher {
    private static final long INTERVAL_MS = 500;

    private ParentWatcher() {
    }

    /**
     * Starts watching.
     *
     * @param core what to stop
     * @param original the parent pid seen when the process started serving
     */
    static void start(PluginCore core, long original) {
        if (original <= 1) {
            return; // started by init itself: it never goes away
        }
        Thread t = new Thread(() -> {
            while (true) {
                long now = parentPid();
                if (now != original) {
                    SdkLog.LOG.warn("parent process is gone; stopping", "parent_pid", original);
                    core.stop("parent process exited");
                    return;
                }
                try {
                    Thread.sleep(INTERVAL_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "plugin-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    /** This process's parent pid now, or -1 if unknown. */
    static long parentPid() {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    }
}
