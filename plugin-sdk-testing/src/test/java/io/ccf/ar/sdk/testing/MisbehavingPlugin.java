package io.ccf.ar.sdk.testing;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.InitInput;
import io.ccf.ar.proto.InitResult;
import io.ccf.ar.proto.ShutdownInput;
import io.ccf.ar.proto.ShutdownResult;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.sdk.PluginLog;
import io.ccf.ar.sdk.Provider;
import java.util.concurrent.CountDownLatch;

/**
 * A test plugin whose Execute misbehaves as configuration {@code execute} says: {@code exit}
 * (System.exit(9)), {@code halt} (Runtime.halt(7), no shutdown hooks), {@code hang} (blocks
 * forever; so does its Shutdown, so that the process does not exit when asked to stop),
 * {@code throw} (IllegalArgumentException).
 */
public final class MisbehavingPlugin implements Provider {
    private static final PluginLog LOG = PluginLog.get();
    private final CountDownLatch never = new CountDownLatch(1);
    private volatile String misbehaviour = "";

    @Override
    public InitResult init(InitInput input) {
        misbehaviour = input.getConfigurationOrDefault("execute", "");
        return InitResult.getDefaultInstance();
    }

    @Override
    public ShutdownResult shutdown(ShutdownInput input) throws InterruptedException {
        if (misbehaviour.equals("hang")) {
            LOG.warn("hanging in shutdown");
            never.await();
        }
        return ShutdownResult.getDefaultInstance();
    }

    @Override
    public EvaluateResult evaluate(EvaluateInput input) {
        return EvaluateResult.newBuilder().addSubjects(Subject.newBuilder().setId("vm-1")).build();
    }

    @Override
    public ExecuteResult execute(ExecuteInput input) throws Exception {
        String how = input.getConfigurationOrDefault("execute", "");
        LOG.warn("about to misbehave", "how", how);
        switch (how) {
            case "exit" -> System.exit(9);
            case "halt" -> Runtime.getRuntime().halt(7);
            case "hang" -> never.await();
            case "throw" -> throw new IllegalArgumentException("path must be absolute, not 'tmp'");
            default -> { }
        }
        return ExecuteResult.getDefaultInstance();
    }
}
