package io.ccf.ar.sdk;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.ExecutionStatus;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.ShutdownInput;
import io.ccf.ar.proto.ShutdownResult;
import io.ccf.ar.proto.Subject;

/**
 * The provider the process tests launch as a real child JVM. It prints to
 * System.out and System.err on purpose, to check where those go.
 */
public final class TestPluginMain implements Provider {
    static final String STDOUT_MARKER = "evaluate says hello on System.out";
    static final String STDERR_MARKER = "evaluate says hello on System.err";

    public static void main(String[] args) {
        PluginServer.builder(new TestPluginMain()).name("testplugin").serve();
    }

    @Override
    public EvaluateResult evaluate(EvaluateInput input) {
        String n = input.getConfigurationOrDefault("n", "0");
        System.out.println(STDOUT_MARKER + " " + n);
        System.err.println(STDERR_MARKER + " " + n);
        PluginLog.get().info("evaluate called", "config_keys", input.getConfigurationCount());
        return EvaluateResult.newBuilder()
                .addSubjects(Subject.newBuilder().setId("s-1").setTitle("Subject 1"))
                .putProps("from", "evaluate")
                .build();
    }

    @Override
    public ExecuteResult execute(ExecuteInput input) throws Exception {
        String fail = input.getConfigurationOrDefault("fail", "");
        if (fail.equals("invalid")) {
            throw new IllegalArgumentException("bad configuration: fail=invalid");
        }
        if (fail.equals("boom")) {
            throw new IllegalStateException("boom");
        }
        return ExecuteResult.newBuilder()
                .setStatus(ExecutionStatus.SUCCESS)
                .addObservations(Observation.newBuilder()
                        .setSubjectId(input.getSubject().getId())
                        .setTitle("seen " + input.getSubject().getId()))
                .build();
    }

    @Override
    public ShutdownResult shutdown(ShutdownInput input) {
        PluginLog.get().info("provider shutdown", "reason", input.getReason());
        return ShutdownResult.getDefaultInstance();
    }
}
