package io.ccf.ar.runtime.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ar}: without a subcommand it runs the daemon. */
@Command(name = "ar", mixinStandardHelpOptions = true, version = "ar 0.1.0",
        description = "Assessment runtime: runs compliance-check plugins on schedules.",
        subcommands = {DaemonCommand.class, RunOnceCommand.class, ValidateCommand.class, PluginsCommand.class,
                PublishPlanCommand.class, WatchResultsCommand.class, InstallCommand.class,
                UninstallCommand.class, PublishCommand.class, ReindexCommand.class, ServeRegistryCommand.class,
                KeygenCommand.class, StatusCommand.class, NewPluginCommand.class, RunPluginCommand.class})
public final class ArCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ReloadOptions reload;

    @Override
    public Integer call() throws InterruptedException {
        DaemonCommand daemon = new DaemonCommand();
        daemon.common = common;
        daemon.reload = reload;
        return daemon.call();
    }
}
