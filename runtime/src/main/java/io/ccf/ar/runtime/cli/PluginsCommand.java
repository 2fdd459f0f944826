package io.ccf.ar.runtime.cli;

import java.util.concurrent.Callable;

import io.ccf.ar.runtime.app.LoadedRuntime;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginException;
import io.ccf.ar.runtime.plugin.PluginPackage;
import io.ccf.ar.runtime.plugin.PluginSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ar plugins}: what is on disk, what is configured, and whether each configured one is present. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List plugin packages on disk and configured plugins, and whether each is present.")
final class PluginsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        LoadedRuntime runtime = common.load(System.getenv());
        PackageLayout layout = new PackageLayout(runtime.config().pluginsDir());
        System.out.println("installed in " + layout.pluginsDir() + ":");
        for (PackageRef ref : layout.installed()) {
            String how;
            try {
                PluginPackage pkg = layout.resolve(ref);
                how = pkg.kind().name().toLowerCase() + " " + pkg.file().getFileName();
            } catch (PluginException e) {
                how = "not runnable: " + e.getMessage();
            }
            System.out.println("  " + ref + "  " + how);
        }
        System.out.println("configured:");
        int missing = 0;
        for (PluginSpec spec : runtime.pluginSpecs()) {
            String state;
            try {
                layout.resolve(spec.pkg());
                state = "present";
            } catch (PluginException e) {
                state = "MISSING";
                missing++;
            }
            System.out.println("  " + spec.name() + "  " + spec.pkg() + "  " + state);
        }
        return missing == 0 ? 0 : 1;
    }
}
