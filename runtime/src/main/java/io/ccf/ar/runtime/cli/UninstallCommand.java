package io.ccf.ar.runtime.cli;

import java.util.concurrent.Callable;

import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.registry.PackageDownloader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ar uninstall PACKAGE@VERSION}: removes an installed version and its plugins.lock entry. */
@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = {"Remove an installed package version (PACKAGE@VERSION, exact) and its plugins.lock entry.",
                "Exit 0 when removed, 1 when it was not installed."})
final class UninstallCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "PACKAGE@VERSION")
    String target;

    @Override
    public Integer call() {
        PackageRef ref = PackageTarget.parse(target).ref();
        PackageLayout layout = new PackageLayout(common.load(System.getenv()).config().pluginsDir());
        if (PackageDownloader.uninstall(layout, ref)) {
            System.out.println("removed " + ref + " from " + layout.pluginsDir());
            return 0;
        }
        System.err.println("ar uninstall: " + ref + " is not installed in " + layout.pluginsDir());
        return 1;
    }
}
