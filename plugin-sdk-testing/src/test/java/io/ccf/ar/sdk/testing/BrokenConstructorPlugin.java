package io.ccf.ar.sdk.testing;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.sdk.Provider;
import java.util.concurrent.CountDownLatch;

/**
 * A test plugin that never serves: its constructor throws, or with {@code BROKEN_PLUGIN=hang} in
 * the environment blocks forever (the process never prints a handshake).
 */
public final class BrokenConstructorPlugin implements Provider {
    public BrokenConstructorPlugin() throws InterruptedException {
        if ("hang".equals(System.getenv("BROKEN_PLUGIN"))) {
            new CountDownLatch(1).await();
        }
        throw new IllegalStateException("cannot read /etc/broken-plugin.conf");
    }

    @Override
    public EvaluateResult evaluate(EvaluateInput input) {
        return EvaluateResult.getDefaultInstance();
    }

    @Override
    public ExecuteResult execute(ExecuteInput input) {
        return ExecuteResult.getDefaultInstance();
    }
}
