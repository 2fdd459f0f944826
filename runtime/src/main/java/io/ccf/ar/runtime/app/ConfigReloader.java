package io.ccf.ar.runtime.app;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.config.RuntimeConfig;
import io.ccf.ar.runtime.config.RuntimeConfigLoader;

/**
 * Re-reads config.yml when asked ({@link #request}, which SIGHUP calls) or when config.yml or a plan file
 * changes on disk, and hands the new config to the daemon. One reload at a time on a thread of its own;
 * requests that arrive meanwhile fold into one more reload. A config.yml that does not load is logged
 * (file, line, problem) and the running configuration stays.
 */
public final class ConfigReloader implements AutoCloseable {
    /** Files settle this long after their last change before a reload (an editor writes in several steps). */
    static final Duration SETTLE = Duration.ofMillis(300);
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final Path configFile; // normalized: what file events are compared with
    private final Path loadedFrom; // as the running config was loaded, so that derived paths compare equal
    private final Path assessmentsDir;
    private final Map<String, String> env;
    private final BiConsumer<RuntimeConfig, String> apply;
    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    private volatile boolean closed;
    private Thread worker;
    private WatchService watcher;

    /**
     * @param apply given each config that loaded, and the cause of the reload (e.g. {@code "SIGHUP"})
     */
    public ConfigReloader(RuntimeConfig running, Map<String, String> env, BiConsumer<RuntimeConfig, String> apply) {
        this.configFile = running.configFile().toAbsolutePath().normalize();
        this.loadedFrom = running.configFile();
        this.assessmentsDir = running.assessmentsDir().toAbsolutePath().normalize();
        this.env = Map.copyOf(env);
        this.apply = apply;
    }

    /** Starts the reload thread and, when {@code watchFiles}, the watch on config.yml and the plan directory. */
    public void start(boolean watchFiles) {
        worker = new Thread(this::reloadLoop, "config-reload");
        worker.setDaemon(true);
        worker.start();
        if (watchFiles) {
            startWatching();
        }
    }

    /** Asks for a reload; returns at once. */
    public void request(String cause) {
        if (!closed) {
            requests.add(cause);
        }
    }

    private void reloadLoop() {
        while (!closed) {
            String cause;
            try {
                cause = requests.take();
                // let a burst of file events settle, then fold every request queued meanwhile into this one
                String more;
                while ((more = requests.poll(SETTLE.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    if (!cause.contains(more)) {
                        cause = cause + ", " + more;
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            reload(cause);
        }
    }

    private void reload(String cause) {
        log.atInfo().addKeyValue("cause", cause).addKeyValue("file", configFile).log("reloading config and plan files");
        RuntimeConfig next;
        try {
            next = new RuntimeConfigLoader(env).load(loadedFrom);
        } catch (ConfigException e) {
            log.atError().addKeyValue("cause", cause).addKeyValue("problems", String.join("; ", e.problems().stream().map(Object::toString).toList()))
                    .log("reload refused: config.yml does not load; the running configuration stays");
            return;
        } catch (RuntimeException e) {
            log.atError().addKeyValue("cause", cause).log("reload refused: cannot read {}: {}; the running configuration"
                    + " stays", configFile, e.toString());
            return;
        }
        apply.accept(next, cause);
    }

    private void startWatching() {
        try {
            watcher = FileSystems.getDefault().newWatchService();
            register(configFile.getParent());
            if (Files.isDirectory(assessmentsDir) && !assessmentsDir.equals(configFile.getParent())) {
                register(assessmentsDir);
            }
        } catch (IOException e) {
            log.atWarn().addKeyValue("file", configFile)
                    .log("cannot watch config.yml and the plan files ({}); reload with SIGHUP", e.toString());
            return;
        }
        Thread t = new Thread(this::watchLoop, "config-watch");
        t.setDaemon(true);
        t.start();
        log.atInfo().addKeyValue("config", configFile).addKeyValue("plans", assessmentsDir)
                .log("watching config.yml and the plan files for changes (SIGHUP reloads too)");
    }

    private void register(Path dir) throws IOException {
        dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
    }

    private void watchLoop() {
        while (!closed) {
            WatchKey key;
            try {
                key = watcher.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Path dir = ((Path) key.watchable()).toAbsolutePath().normalize();
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    request("file changes (events lost)");
                    continue;
                }
                Path changed = dir.resolve((Path) event.context());
                if (changed.equals(configFile) || (dir.equals(configFile.getParent()) && isKubernetesSwap(changed))) {
                    request(configFile.getFileName() + " changed");
                } else if (dir.equals(assessmentsDir) && (isPlanFile(changed) || isKubernetesSwap(changed))) {
                    request("plan files changed");
                }
            }
            if (!key.reset()) {
                log.atWarn().addKeyValue("dir", dir).log("no longer watching this directory (it went away); reload with SIGHUP");
            }
        }
    }

    /** A Kubernetes ConfigMap volume updates its files by swapping the {@code ..data} link, not the files. */
    private static boolean isKubernetesSwap(Path path) {
        return path.getFileName().toString().equals("..data");
    }

    private static boolean isPlanFile(Path path) {
        String name = path.getFileName().toString();
        return !name.startsWith(".") && (name.endsWith(".yml") || name.endsWith(".yaml"));
    }

    @Override
    public void close() {
        closed = true;
        if (worker != null) {
            worker.interrupt();
        }
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                log.debug("closing the file watch: {}", e.toString());
            }
        }
    }
}
