package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts plugin processes from one long-lived thread.
 *
 * <p>On Linux each child is wrapped in {@code setpriv --pdeathsig KILL}, so the kernel kills it when
 * the runtime dies, even by SIGKILL (a Go plugin never watches its parent). The parent-death signal
 * fires when the <em>thread</em> that forked the child exits, hence the single dedicated thread that
 * lives as long as this launcher.
 */
final class ProcessLauncher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProcessLauncher.class);
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "plugin-launcher");
        t.setDaemon(true);
        return t;
    });
    private final boolean useSetpriv;
    private final boolean useSetsid;

    ProcessLauncher(boolean parentDeathSignal) {
        boolean available = Files.isExecutable(SETPRIV);
        if (parentDeathSignal && !available) {
            log.warn("setpriv not found at {}: plugin processes may outlive a runtime killed by SIGKILL", SETPRIV);
        }
        this.useSetpriv = parentDeathSignal && available;
        this.useSetsid = Files.isExecutable(SETSID);
        if (!useSetsid) {
            log.warn("setsid not found at {}: a plugin's children may outlive a failed start or a kill", SETSID);
        }
    }

    /**
     * Whether each child leads a session and process group of its own ({@code setsid}), so that the
     * whole group can be killed ({@link ProcessTree}) and a terminal's Ctrl-C reaches the runtime only.
     */
    boolean ownProcessGroup() {
        return useSetsid;
    }

    /** Starts {@code command} with exactly the environment {@code env} (nothing else of this process's). */
    Process start(List<String> command, Map<String, String> env, Path workingDir) throws IOException {
        List<String> full = new ArrayList<>();
        if (useSetsid) {
            // the child is not a group leader, so setsid(1) execs in place: the pid stays the plugin's
            full.add(SETSID.toString());
        }
        if (useSetpriv) {
            full.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).directory(workingDir.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Future<Process> started = thread.submit(builder::start);
        try {
            return started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + command, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start " + command + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
