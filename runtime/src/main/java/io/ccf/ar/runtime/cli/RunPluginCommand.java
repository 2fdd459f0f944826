package io.ccf.ar.runtime.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ccf.ar.runtime.app.LoadedRuntime;
import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.ExecutionSettings;
import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.config.PluginHostSettings;
import io.ccf.ar.runtime.config.SelectorSpec;
import io.ccf.ar.runtime.plugin.PluginException;
import io.ccf.ar.runtime.plugin.PluginFile;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.plugin.PluginSpec;
import io.ccf.ar.runtime.run.AssessmentResult;
import io.ccf.ar.runtime.run.RunReport;
import io.ccf.ar.runtime.run.SubjectSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ar run-plugin FILE}: a plugin author's quick loop. Runs one plugin file once through the daemon's own plugin
 * host (handshake, auto-mTLS, environment rules, JVM options: the {@code pluginHost} defaults), with no config file,
 * plugins directory or NATS: Init and Evaluate with the {@code --config} map, Execute per subject, each result a JSON
 * line as {@code ar run-once} prints them.
 */
@Command(name = "run-plugin", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a plugin FILE once, without a config file: start it as the daemon would (go-plugin"
                + " handshake, auto-mTLS, a .jar with `java -jar` and the default pluginHost JVM options, anything else"
                + " as an executable), Init and Evaluate it with the --config map, Execute each subject (or those named"
                + " by --subject), print each result as one JSON line on stdout as `ar run-once` does, and stop it.",
                "The plugin's log lines go to stderr (AR_LOG_LEVEL=DEBUG shows its debug lines too).",
                "Exit 0 when every Execute succeeded; 1 when one failed (listed on stderr) or the plugin did not start;"
                + " 2 for bad usage (a missing file, a bad --config, an unknown --subject)."},
        footer = {"%nExample:",
                "  ar run-plugin target/sample.jar --config greeting=hello --subject busy-vm-1",
                "  ar run-plugin ./my-go-plugin --config region=eu | jq .status"})
final class RunPluginCommand implements Callable<Integer> {
    @Mixin
    LogFormatOption logFormat;

    @Parameters(index = "0", paramLabel = "FILE", description = "The plugin: a .jar, or an executable (a Go plugin).")
    Path file;

    @Option(names = "--config", paramLabel = "KEY=VALUE",
            description = "A configuration entry, for Init, Evaluate and Execute (repeatable).")
    Map<String, String> configuration = new LinkedHashMap<>();

    @Option(names = "--subject", paramLabel = "ID",
            description = "Execute only this subject, one of those Evaluate returns (repeatable). Default: all.")
    List<String> subjects = new ArrayList<>();

    @Override
    public Integer call() {
        logFormat.apply(System.getenv());
        if (configuration.containsKey("")) {
            return usageError("--config needs KEY=VALUE with a key, not \"=" + configuration.get("") + "\"");
        }
        PluginFile plugin;
        try {
            plugin = PluginFile.of(file);
        } catch (IllegalArgumentException e) {
            return usageError(e.getMessage());
        }
        String name = plugin.ref().name();
        PluginSpec pluginSpec = new PluginSpec(name, plugin.ref(), configuration);
        JobDefinition job = new JobDefinition(JobCatalog.PLUGIN_JOB_PREFIX + name, "", name, "", "", "", "", "",
                List.of(new ActivityDefinition(name, name, SelectorSpec.EMPTY, name, plugin.ref().name(),
                        plugin.ref().version(), configuration)));
        String runtimeId = "run-plugin";
        try (PluginManager plugins = new PluginManager(plugin,
                LoadedRuntime.hostOptions(runtimeId, PluginHostSettings.DEFAULTS).build());
             JsonLinesRun run = new JsonLinesRun(plugins, ExecutionSettings.DEFAULTS, runtimeId, System.out)) {
            PluginException notStarted = plugins.start(List.of(pluginSpec)).get(plugin.ref());
            if (notStarted != null) {
                System.err.println("ar run-plugin: " + file + " did not start: " + notStarted.getMessage());
                return 1;
            }
            RunReport report;
            try {
                report = run.run(job, new SubjectSelection(subjects));
            } catch (IllegalArgumentException e) {
                return usageError("--subject: " + e.getMessage());
            }
            return summarise(report, run.failed());
        }
    }

    private static int usageError(String message) {
        System.err.println("ar run-plugin: " + message + " (see ar run-plugin --help)");
        return 2;
    }

    private int summarise(RunReport report, List<AssessmentResult> failed) {
        if (report.results() == 0) {
            System.err.println("ar run-plugin: Evaluate returned no subjects, nothing was executed");
        }
        if (failed.isEmpty()) {
            return 0;
        }
        System.err.println("ar run-plugin: " + failed.size() + " of " + report.results() + " result(s) failed:");
        for (AssessmentResult result : failed) {
            String subject = result.subject().getId();
            System.err.println("  " + (subject.isEmpty() ? "(no subject)" : subject) + ": "
                    + (result.error().isEmpty() ? "status " + result.status() : result.error().lines().findFirst().orElse("")));
        }
        return 1;
    }
}
