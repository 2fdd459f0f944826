package io.ccf.ar.runtime.cli;

import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.ccf.ar.runtime.app.Daemon;
import io.ccf.ar.runtime.app.LoadedRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sun.misc.Signal;

/** {@code ar daemon}: run the jobs on their schedules until SIGINT or SIGTERM, then stop cleanly (exit 0). */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "Start the plugins and run every job on its schedule until SIGINT/SIGTERM.")
final class DaemonCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws InterruptedException {
        LoadedRuntime runtime = common.load(System.getenv());
        Daemon daemon = new Daemon(runtime.config(), Clock.systemDefaultZone());
        CountDownLatch stop = new CountDownLatch(1);
        // Handled signals (not shutdown hooks), so a requested stop exits 0 after a clean shutdown.
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        daemon.start();
        stop.await();
        daemon.stop();
        return 0;
    }
}
