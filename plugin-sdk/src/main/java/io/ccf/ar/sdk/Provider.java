package io.ccf.ar.sdk;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.InitInput;
import io.ccf.ar.proto.InitResult;
import io.ccf.ar.proto.ShutdownInput;
import io.ccf.ar.proto.ShutdownResult;

/**
 * What a plugin implements: the four calls of the {@code plugin.JobService}
 * wire contract. Write a class implementing this interface and hand an instance
 * to {@link PluginServer#serve(Provider)} from {@code main}:
 *
 * <pre>{@code
 * public final class MyPlugin implements Provider {
 *     public static void main(String[] args) {
 *         PluginServer.serve(new MyPlugin());
 *     }
 *
 *     public EvaluateResult evaluate(EvaluateInput in) {
 *         return EvaluateResult.newBuilder()
 *                 .addSubjects(Subject.newBuilder().setId("vm-1").setType(SubjectType.INVENTORY_ITEM))
 *                 .build();
 *     }
 *
 *     public ExecuteResult execute(ExecuteInput in) throws Exception {
 *         // assess in.getSubject(), using in.getConfigurationMap() and in.getPropsMap()
 *         return ExecuteResult.newBuilder().setStatus(ExecutionStatus.SUCCESS).build();
 *     }
 * }
 * }</pre>
 *
 * <p><b>How the runtime calls it.</b> Per activity run the runtime calls
 * {@link #evaluate} once to learn which subjects the activity covers, then
 * {@link #execute} once per subject, handing every {@code execute} the
 * {@code Props} that {@code evaluate} returned. {@link #init} is called once
 * after the plugin started and {@link #shutdown} once before it is stopped.
 * The process is long-lived: one instance serves many runs.
 *
 * <p><b>Threads.</b> Calls arrive concurrently (subjects of one run may be
 * assessed in parallel, and several runs may overlap), so an implementation
 * must be thread-safe. By default each call runs on a thread of the SDK's own
 * pool, so blocking (HTTP, files, {@code Thread.sleep}) is fine. Only if no
 * method ever blocks may the plugin opt into
 * {@link PluginServer.Builder#handlersDoNotBlock()}.
 *
 * <p><b>Errors.</b> A method may throw. The call then fails with a gRPC status:
 * {@link IllegalArgumentException} (bad input or configuration) becomes
 * {@code INVALID_ARGUMENT}, anything else {@code INTERNAL}; the description is
 * the exception's class name and message, and the SDK logs it at error level.
 * The runtime records a failed {@code execute} as that subject's result with an
 * error and goes on with the other subjects. To report that the subject was
 * assessed and found wanting, return a result with
 * {@code ExecutionStatus.FAILURE} and findings instead of throwing. Returning
 * {@code null} counts as an error ({@code INTERNAL}).
 *
 * <p><b>Choosing the status.</b> To fail a call with a status of your choice,
 * throw a {@link io.grpc.StatusRuntimeException}; the SDK passes its code and
 * description through unchanged, e.g.
 * <pre>{@code
 * throw io.grpc.Status.UNAVAILABLE.withDescription("API of " + host + " unreachable").asRuntimeException();
 * throw io.grpc.Status.PERMISSION_DENIED.withDescription("token lacks read:inventory").asRuntimeException();
 * }</pre>
 * The runtime shows the code and description in the subject's result.
 *
 * <p><b>Output.</b> Never write to the real standard output: its first line is
 * the handshake with the runtime. Once serving, the SDK redirects
 * {@code System.out} to the runtime's stdio stream and {@code System.err} to
 * stderr; log with {@link PluginLog}, and report results through the returned
 * messages ({@code Logs}, {@code Observations}, ...).
 */
public interface Provider {

    /**
     * Lists the subjects an activity covers (e.g. the machines a query
     * selects). Called once per activity run.
     *
     * @param input the plan ids, the subject selector and the activity's
     *     configuration map
     * @return the subjects (an empty list is a warning for the runtime, not an
     *     error), log entries, and {@code Props} handed to every
     *     {@link #execute} of this run; never {@code null}
     * @throws Exception to fail the call (see the class comment for the status)
     */
    EvaluateResult evaluate(EvaluateInput input) throws Exception;

    /**
     * Assesses one subject. Called once per subject that {@link #evaluate}
     * returned, possibly concurrently.
     *
     * @param input the plan ids, the subject, the {@code Props} from
     *     {@code evaluate} and the activity's configuration map
     * @return the status ({@code SUCCESS} when the assessment ran), observations,
     *     findings, risks and log entries; never {@code null}
     * @throws Exception to fail the call (see the class comment for the status)
     */
    ExecuteResult execute(ExecuteInput input) throws Exception;

    /**
     * Called once after the plugin started, before the first {@code evaluate}.
     * Override to validate configuration or open clients; the default does
     * nothing and returns an empty result.
     *
     * @param input the plugin's configured name, the runtime's id, package,
     *     version and the plugin's configuration map
     * @return log entries for the runtime; never {@code null}
     * @throws Exception to fail the call (see the class comment for the status)
     */
    default InitResult init(InitInput input) throws Exception {
        return InitResult.getDefaultInstance();
    }

    /**
     * Called once before the plugin is stopped: by the runtime's
     * {@code Shutdown} call, or by the SDK itself when the runtime stops the
     * process without it (controller shutdown, parent process gone). It is
     * never called twice. Override to release resources; keep it short (the
     * process is killed about two seconds after the runtime asked it to stop).
     * The default does nothing.
     *
     * @param input the plugin's name and the reason for stopping
     * @return log entries for the runtime; never {@code null}
     * @throws Exception to fail the call (see the class comment for the status)
     */
    default ShutdownResult shutdown(ShutdownInput input) throws Exception {
        return ShutdownResult.getDefaultInstance();
    }
}
