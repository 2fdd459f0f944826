package io.ccf.ar.runtime.cli;

import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.ccf.ar.runtime.app.ConfigReloader;
import io.ccf.ar.runtime.app.Daemon;
import io.ccf.ar.runtime.app.LoadedRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sun.misc.Signal;

/**
 * {@code ar daemon}: run the jobs on their schedules until SIGINT or SIGTERM, then stop cleanly (exit 0).
 * SIGHUP, or a change of config.yml or a plan file, reloads them live.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = {"Start the plugins and run every job on its schedule until SIGINT/SIGTERM.",
                "SIGHUP, or a change of config.yml or of a plan file, re-reads them and applies the difference live."})
final class DaemonCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ReloadOptions reload = new ReloadOptions();

    @Override
    public Integer call() throws InterruptedException {
        LoadedRuntime runtime = common.load(System.getenv());
        Daemon daemon = new Daemon(runtime.config(), Clock.systemDefaultZone());
        ConfigReloader reloader = new ConfigReloader(runtime.config(), System.getenv(), daemon::reload);
        CountDownLatch stop = new CountDownLatch(1);
        // Handled signals (not shutdown hooks), so a requested stop exits 0 after a clean shutdown.
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("HUP"), s -> reloader.request("SIGHUP"));
        daemon.start();
        reloader.start(reload.watch);
        stop.await();
        reloader.close();
        daemon.stop();
        return 0;
    }
}
