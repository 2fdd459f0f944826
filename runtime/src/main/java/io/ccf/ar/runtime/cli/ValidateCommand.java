package io.ccf.ar.runtime.cli;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.ccf.ar.runtime.app.LoadedRuntime;
import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.config.RejectedPlanFile;
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
        if (problems.isEmpty()) {
            System.out.println("ok");
            return 0;
        }
        System.err.println(problems.size() + " problem(s):");
        problems.forEach(p -> System.err.println("  " + p));
        return 1;
    }
}
