package io.ccf.ar.sdk.testing;

import io.ccf.ar.proto.Plan;
import io.ccf.ar.sdk.PluginLog;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything {@link PluginHarnessBuilder} collected, fixed at {@code start()}.
 *
 * @param name the plugin's name (Init's PluginName; the provider launcher's plugin name)
 * @param configuration sent in Init and in every Evaluate / Execute
 * @param plan sent in every Evaluate / Execute
 * @param environment added to the child's environment
 * @param unsetEnvironment removed from the child's environment
 * @param jvmOptions for a provider or a jar: options of the child JVM
 * @param startTimeout spawn to handshake, health check and Init
 * @param callTimeout each Evaluate / Execute call
 * @param stopTimeout from asking the plugin to stop to killing it
 * @param autoMtls whether to negotiate go-plugin auto-mTLS
 * @param logLevel the child's AR_PLUGIN_LOG_LEVEL
 * @param echo where the plugin's log lines are copied as they arrive, or {@code null}
 */
record HarnessSettings(String name, Map<String, String> configuration, Plan plan, Map<String, String> environment,
                       Set<String> unsetEnvironment, List<String> jvmOptions, Duration startTimeout, Duration callTimeout, Duration stopTimeout,
                       boolean autoMtls, PluginLog.Level logLevel, PrintStream echo) {
    HarnessSettings {
        configuration = Map.copyOf(configuration);
        environment = Map.copyOf(environment);
        unsetEnvironment = Set.copyOf(unsetEnvironment);
        jvmOptions = List.copyOf(jvmOptions);
    }
}
