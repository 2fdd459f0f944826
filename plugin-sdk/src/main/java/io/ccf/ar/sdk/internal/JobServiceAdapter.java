package io.ccf.ar.sdk.internal;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.InitInput;
import io.ccf.ar.proto.InitResult;
import io.ccf.ar.proto.JobServiceGrpc;
import io.ccf.ar.proto.ShutdownInput;
import io.ccf.ar.proto.ShutdownResult;
import io.ccf.ar.sdk.Provider;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code plugin.JobService} served by a {@link Provider}, with its exceptions mapped to gRPC status. The server
 * runs every gRPC callback on its event loop; only the provider's own code goes to {@code handlers} (one hand-off
 * per call, where a gRPC server executor would take several: call start, message, half-close, completion).
 */
final class JobServiceAdapter extends JobServiceGrpc.JobServiceImplBase {
    /** A provider call, to share the error handling of the four methods. */
    private interface Call<T> {
        T run() throws Exception;
    }

    private final Provider provider;
    private final PluginCore core;
    private final Executor handlers;

    /** {@code handlers}: where the provider's methods run (the SDK's pool, or the event loop itself). */
    JobServiceAdapter(Provider provider, PluginCore core, Executor handlers) {
        this.provider = provider;
        this.core = core;
        this.handlers = handlers;
    }

    @Override
    public void evaluate(EvaluateInput request, StreamObserver<EvaluateResult> obs) {
        respond("Evaluate", obs, () -> provider.evaluate(request));
    }

    @Override
    public void execute(ExecuteInput request, StreamObserver<ExecuteResult> obs) {
        respond("Execute", obs, () -> provider.execute(request));
    }

    @Override
    public void init(InitInput request, StreamObserver<InitResult> obs) {
        respond("Init", obs, () -> provider.init(request));
    }

    @Override
    public void shutdown(ShutdownInput request, StreamObserver<ShutdownResult> obs) {
        respond("Shutdown", obs, () -> {
            ShutdownResult r = core.shutdownProviderOnce(request);
            return r != null ? r : ShutdownResult.getDefaultInstance(); // already called: nothing to report
        });
    }

    private <T> void respond(String method, StreamObserver<T> obs, Call<T> call) {
        // The call's context (deadline, cancellation) goes with it to the handler thread.
        try {
            handlers.execute(Context.current().wrap(() -> respondNow(method, obs, call)));
        } catch (RejectedExecutionException e) { // the pool is shut down: the plugin is stopping
            obs.onError(Status.UNAVAILABLE.withDescription("plugin is stopping").asRuntimeException());
        }
    }

    private static <T> void respondNow(String method, StreamObserver<T> obs, Call<T> call) {
        T result;
        try {
            result = call.run();
            if (result == null) {
                throw new IllegalStateException("Provider." + Character.toLowerCase(method.charAt(0))
                        + method.substring(1) + " returned null");
            }
        } catch (Throwable t) {
            try {
                obs.onError(toStatus(method, t).asRuntimeException());
            } catch (RuntimeException ignored) {
                // call already cancelled by the host
            }
            if (t instanceof VirtualMachineError) {
                throw (VirtualMachineError) t;
            }
            return;
        }
        try {
            obs.onNext(result);
            obs.onCompleted();
        } catch (StatusRuntimeException ignored) {
            // call cancelled by the host meanwhile
        }
    }

    /**
     * The status a provider's exception becomes: IllegalArgumentException is
     * INVALID_ARGUMENT, anything else INTERNAL; the description is the
     * exception's class and message. Logged at error.
     */
    static Status toStatus(String method, Throwable t) {
        if (t instanceof StatusRuntimeException) { // a provider may choose its own status
            Status s = ((StatusRuntimeException) t).getStatus();
            SdkLog.LOG.error(method + " failed", "method", method, "code", s.getCode().name(),
                    "error", String.valueOf(s.getDescription()));
            return s;
        }
        boolean invalid = t instanceof IllegalArgumentException;
        Status status = invalid ? Status.INVALID_ARGUMENT : Status.INTERNAL;
        String msg = t.getMessage();
        String description = t.getClass().getName() + (msg == null ? "" : ": " + msg);
        if (invalid) {
            SdkLog.LOG.error(method + " failed", "method", method, "code", status.getCode().name(),
                    "error", description);
        } else {
            SdkLog.LOG.error(method + " failed", "method", method, "code", status.getCode().name(),
                    "error", description, "stacktrace", providerStackTrace(t));
        }
        return status.withDescription(description).withCause(t);
    }

    /**
     * The stack trace without the frames below the provider (this adapter,
     * gRPC, Netty): those are the same for every call and bury the useful part.
     */
    static String providerStackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        StringBuilder out = new StringBuilder();
        boolean skipping = false;
        for (String line : w.toString().split("\n")) {
            boolean frame = line.startsWith("\tat ") || line.startsWith("\t... ");
            if (skipping && frame) {
                continue;
            }
            skipping = false;
            if (frame && line.contains(JobServiceAdapter.class.getName())) {
                out.append("\t... SDK and gRPC frames omitted\n");
                skipping = true;
                continue;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }
}
