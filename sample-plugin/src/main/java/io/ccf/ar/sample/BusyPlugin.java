package io.ccf.ar.sample;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.ExecutionStatus;
import io.ccf.ar.proto.LogEntry;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Property;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.proto.SubjectType;
import io.ccf.ar.sdk.PluginLog;
import io.ccf.ar.sdk.PluginServer;
import io.ccf.ar.sdk.Provider;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The "busy" sample plugin: it pretends to assess three virtual machines. Copy
 * it to start a plugin of your own.
 *
 * <p>Configuration switches, so that the runtime's tests can drive failures with
 * the real jar:
 * <ul>
 *   <li>{@code fail=true}: {@code Execute} throws (the runtime sees INTERNAL);</li>
 *   <li>{@code sleep_ms=N}: {@code Execute} sleeps N milliseconds first;</li>
 *   <li>{@code exit_on_execute=true}: the process dies with exit code 3 in
 *       {@code Execute} (a simulated crash);</li>
 *   <li>{@code subjects=N}: {@code Evaluate} returns N machines instead of three
 *       (for benchmarks).</li>
 * </ul>
 */
public final class BusyPlugin implements Provider {
    // One logger for the plugin: hclog JSON lines on stderr, shown by the runtime.
    private static final PluginLog LOG = PluginLog.get();

    /**
     * Starts the plugin; the runtime launches it, a person never does.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // Default executor, not handlersDoNotBlock(): Execute may sleep (sleep_ms),
        // and a handler that blocks must not run on the network event loop.
        PluginServer.builder(new BusyPlugin()).name("busy").serve();
    }

    /** Which subjects does this activity cover? Three machines (or {@code subjects=N}). */
    @Override
    public EvaluateResult evaluate(EvaluateInput input) {
        EvaluateResult.Builder result = EvaluateResult.newBuilder()
                .putProps("namespace", "busy"); // handed to every Execute of this run
        int count = subjectCount(input.getConfigurationMap().get("subjects"));
        // subject_id: every subject gets this id, as a careless plugin might (repeated, empty, CR/LF, non-ASCII)
        String sameId = input.getConfigurationMap().get("subject_id");
        for (int i = 0; i < count; i++) {
            result.addSubjects(Subject.newBuilder()
                    .setId(sameId != null ? sameId : "busy-vm-" + i)
                    .setTitle("Busy Virtual Machine " + i)
                    .setType(SubjectType.INVENTORY_ITEM)
                    .putProps("id", Integer.toString(i)));
        }
        LOG.debug("evaluated", "subjects", result.getSubjectsCount());
        return result.build();
    }

    /** Assesses one subject: records one observation about it. */
    @Override
    public ExecuteResult execute(ExecuteInput input) throws Exception {
        Map<String, String> config = input.getConfigurationMap();
        Subject subject = input.getSubject();
        String started = now();

        if ("true".equals(config.get("exit_on_execute"))) {
            LOG.warn("exiting on purpose (exit_on_execute=true)", "subject", subject.getId());
            Runtime.getRuntime().halt(3); // a crash: no shutdown hooks, no goodbye
        }
        long sleepMs = sleepMillis(config.get("sleep_ms"));
        if (sleepMs > 0) {
            Thread.sleep(sleepMs); // fine: handlers run on the SDK's pool, not the event loop
        }
        if ("true".equals(config.get("fail"))) {
            // Any exception fails the call: IllegalArgumentException as INVALID_ARGUMENT, others INTERNAL.
            throw new IllegalStateException("execute failed on purpose (fail=true) for " + subject.getId());
        }

        Observation.Builder observation = Observation.newBuilder()
                .setId(UUID.randomUUID().toString())
                .setSubjectId(subject.getId())
                .setTitle(subject.getTitle() + " is busy")
                .setDescription("The busy plugin looked at " + subject.getId() + ".")
                .setCollected(now());
        // One property per configuration key, then the props Evaluate returned (sorted: stable output).
        new TreeMap<>(config).forEach((k, v) -> observation.addProps(property(k, v)));
        new TreeMap<>(input.getPropsMap()).forEach((k, v) -> observation.addProps(property(k, v)));

        LOG.debug("assessed subject", "subject", subject.getId(), "config_keys", config.size());
        return ExecuteResult.newBuilder()
                .setStatus(ExecutionStatus.SUCCESS)
                .addObservations(observation)
                .addLogs(LogEntry.newBuilder()
                        .setTitle("Assessed " + subject.getId())
                        .setDescription("One observation recorded.")
                        .setStart(started)
                        .setEnd(now()))
                .build();
    }

    /** {@code subjects} as a number of machines, 3 when absent; a bad value is INVALID_ARGUMENT. */
    static int subjectCount(String value) {
        if (value == null || value.isBlank()) {
            return 3;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < 0 || n > 100_000) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("subjects must be a number from 0 to 100000, not '" + value + "'");
        }
    }

    /** {@code sleep_ms} as a number; a bad value is the caller's mistake (INVALID_ARGUMENT). */
    static long sleepMillis(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            long ms = Long.parseLong(value.strip());
            if (ms < 0) {
                throw new NumberFormatException();
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sleep_ms must be a non-negative number of milliseconds, not '"
                    + value + "'");
        }
    }

    private static Property property(String name, String value) {
        return Property.newBuilder().setName(name).setValue(value).build();
    }

    /** Now in RFC 3339, UTC, millisecond precision (e.g. 2025-01-02T15:04:05.123Z). */
    private static String now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
