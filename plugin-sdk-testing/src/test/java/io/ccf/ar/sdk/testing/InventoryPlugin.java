package io.ccf.ar.sdk.testing;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.ExecutionStatus;
import io.ccf.ar.proto.Finding;
import io.ccf.ar.proto.InitInput;
import io.ccf.ar.proto.InitResult;
import io.ccf.ar.proto.LogEntry;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Property;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.sdk.PluginLog;
import io.ccf.ar.sdk.Provider;
import java.util.List;
import java.util.Map;

/**
 * A well-behaved test plugin. {@code subjects} (comma-separated ids, default vm-1,vm-2) is what
 * Evaluate returns; a subject listed in {@code noncompliant} gets status FAILURE and a finding;
 * every Execute echoes its configuration and props as observation props.
 */
public final class InventoryPlugin implements Provider {
    private static final PluginLog LOG = PluginLog.get();

    @Override
    public InitResult init(InitInput input) {
        LOG.info("init", "plugin", input.getPluginName(), "config_keys", input.getConfigurationCount());
        return InitResult.newBuilder().addLogs(LogEntry.newBuilder().setTitle("init saw "
                + input.getConfigurationMap())).build();
    }

    @Override
    public EvaluateResult evaluate(EvaluateInput input) {
        EvaluateResult.Builder result = EvaluateResult.newBuilder().putProps("evaluated", "yes");
        for (String id : input.getConfigurationOrDefault("subjects", "vm-1,vm-2").split(",")) {
            result.addSubjects(Subject.newBuilder().setId(id.strip()).setTitle("machine " + id.strip()));
        }
        LOG.debug("evaluated", "subjects", result.getSubjectsCount());
        return result.build();
    }

    @Override
    public ExecuteResult execute(ExecuteInput input) {
        String id = input.getSubject().getId();
        Observation.Builder observation = Observation.newBuilder().setSubjectId(id).setTitle("looked at " + id);
        for (Map.Entry<String, String> e : input.getConfigurationMap().entrySet()) {
            observation.addProps(Property.newBuilder().setName("config." + e.getKey()).setValue(e.getValue()));
        }
        for (Map.Entry<String, String> e : input.getPropsMap().entrySet()) {
            observation.addProps(Property.newBuilder().setName("props." + e.getKey()).setValue(e.getValue()));
        }
        ExecuteResult.Builder result = ExecuteResult.newBuilder().addObservations(observation);
        boolean bad = List.of(input.getConfigurationOrDefault("noncompliant", "").split(",")).contains(id);
        result.setStatus(bad ? ExecutionStatus.FAILURE : ExecutionStatus.SUCCESS);
        if (bad) {
            result.addFindings(Finding.newBuilder().setSubjectId(id).setTitle(id + " is not compliant"));
        }
        LOG.info("assessed", "subject", id, "compliant", !bad);
        return result.build();
    }
}
