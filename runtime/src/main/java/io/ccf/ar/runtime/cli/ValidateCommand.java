package io.ccf.ar.runtime.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import io.ccf.ar.runtime.app.LoadedRuntime;
import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.config.PlanPolicySettings;
import io.ccf.ar.runtime.config.RejectedPlanFile;
import io.ccf.ar.runtime.plans.PackagePolicy;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.registry.RegistryException;
import io.ccf.ar.runtime.registry.VersionResolver;
import io.ccf.ar.runtime.plugin.PluginException;
import io.ccf.ar.runtime.schedule.CronParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ar validate}: load everything, check it, print what would run. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Load config and plans, check schedules and that every plugin package is on disk,",
                "and print what would run. Exit non-zero with the errors otherwise."})
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        LoadedRuntime runtime = common.load(System.getenv());
        List<String> problems = new ArrayList<>();
        for (RejectedPlanFile rejected : runtime.plans().rejected()) {
            rejected.problems().forEach(p -> problems.add(p.toString()));
        }
        PackageLayout layout = new PackageLayout(runtime.config().pluginsDir());
        System.out.println("config: " + runtime.config().configFile().toAbsolutePath());
        System.out.println("plugins: " + layout.pluginsDir());
        System.out.println("jobs: " + runtime.catalog().jobs().size());
        for (JobDefinition job : runtime.catalog().jobs()) {
            String next = CronParser.parse(job.schedule(), runtime.config().timeZone()).next(ZonedDateTime.now())
                    .map(Object::toString).orElse("never");
            System.out.println("  " + job.id() + "  schedule \"" + job.schedule() + "\"  next " + next);
            for (ActivityDefinition activity : job.activities()) {
                String where;
                try {
                    PackageRef ref = new VersionResolver(layout, Optional.empty())
                            .resolve(activity.packageName(), activity.version()).ref();
                    where = (ref.version().equals(activity.version()) ? "" : "-> " + ref.version() + " ")
                            + layout.resolve(ref).file();
                } catch (RegistryException e) {
                    if (runtime.config().pluginRegistryURL().isBlank()) {
                        where = "MISSING";
                        problems.add("job " + job.id() + " activity " + activity.id() + ": " + e.getMessage());
                    } else {
                        where = "(chosen from " + runtime.config().pluginRegistryURL() + " at start)";
                    }
                } catch (PluginException e) {
                    where = "MISSING";
                    problems.add("job " + job.id() + " activity " + activity.id() + ": " + e.getMessage());
                }
                System.out.println("    activity " + activity.id() + ": plugin " + activity.providerName() + " ("
                        + activity.packageName() + "@" + activity.version() + ") " + where);
            }
        }
        printBusPolicy(runtime);
        warnIfReadableByOthers(runtime);
        if (problems.isEmpty()) {
            System.out.println("ok");
            return 0;
        }
        System.err.println(problems.size() + " problem(s):");
        problems.forEach(p -> System.err.println("  " + p));
        return 1;
    }

    /** The {@code plans} section as the daemon will apply it. */
    private static void printBusPolicy(LoadedRuntime runtime) {
        PlanPolicySettings settings = runtime.config().plans();
        PackagePolicy policy = PackagePolicy.of(runtime.config().plugins().stream().map(p -> p.packageName()).toList(),
                settings.allowedPackages(),
                runtime.plans().plans().stream().flatMap(p -> PackagePolicy.packagesOf(p).stream()).toList());
        System.out.println("plan events: " + (settings.events() ? "on" : "off") + ", ad-hoc requests: "
                + (settings.requests() ? "on" : "off") + ", packages they may name: " + policy.patterns()
                + " (" + policy.origin() + ")");
        if (policy.allowsEverything()) {
            System.err.println("warning: " + PackagePolicy.SETTING + " contains \"*\": anyone who may publish plan events"
                    + " or requests can run any package from the registry here");
        }
    }

    /**
     * A warning (not a problem: the exit code stays) for each file holding configuration or credentials that
     * other users can read: config.yml (URLs may carry passwords) and the plan files (plugin configuration).
     */
    private static void warnIfReadableByOthers(LoadedRuntime runtime) {
        List<Path> files = new ArrayList<>();
        files.add(runtime.config().configFile());
        runtime.plans().plans().forEach(p -> files.add(Path.of(p.source())));
        for (Path file : files) {
            try {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
                if (mode.contains(PosixFilePermission.OTHERS_READ)) {
                    System.err.println("warning: " + file + " is readable by others (" + PosixFilePermissions.toString(mode)
                            + "); it may hold credentials or plugin configuration: chmod 600 " + file);
                }
            } catch (IOException | UnsupportedOperationException e) {
                // gone meanwhile, or not a POSIX file system: nothing to say
            }
        }
    }
}
