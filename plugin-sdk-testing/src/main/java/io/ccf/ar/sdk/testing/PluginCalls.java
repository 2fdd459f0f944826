package io.ccf.ar.sdk.testing;

import io.ccf.ar.proto.JobServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Makes the JobService calls with the call timeout and turns every failure into a
 * {@link PluginCallException} that says which call, with which status, what became of the
 * process and what the plugin logged last.
 */
final class PluginCalls {
    /** How long a failed call waits to see whether the process is exiting (a crash during the call). */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(2);

    private final PluginConnection connection;
    private final PluginProcess process;
    private final PluginOutput output;
    private final Duration timeout;

    PluginCalls(PluginConnection connection, PluginProcess process, PluginOutput output, Duration timeout) {
        this.connection = connection;
        this.process = process;
        this.output = output;
        this.timeout = timeout;
    }

    /**
     * Makes one call.
     *
     * @param call the method's name, e.g. {@code "Execute"}
     * @param about what the call is about, for the message (e.g. {@code " of subject 'vm-1'"}), or empty
     * @param body the call on a stub that has the deadline set
     */
    <T> T call(String call, String about, Function<JobServiceGrpc.JobServiceBlockingStub, T> body) {
        if (!process.isAlive()) {
            OptionalInt exit = process.exitCode();
            throw new PluginCallException(call, Status.Code.UNAVAILABLE, "", exit.orElse(-1),
                    call + about + " not made: the plugin process is not running (it exited with code "
                            + exit.orElse(-1) + "); start a new harness\n" + output.tail(), null);
        }
        try {
            return body.apply(connection.jobs(timeout));
        } catch (StatusRuntimeException e) {
            throw failure(call, about, e);
        }
    }

    private PluginCallException failure(String call, String about, StatusRuntimeException e) {
        Status status = e.getStatus();
        String description = status.getDescription() == null ? "" : status.getDescription();
        String statusText = status.getCode() + (description.isEmpty() ? "" : ": " + description);
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            OptionalInt exit = process.exitCode();
            String what = exit.isPresent()
                    ? "; the plugin process exited with code " + exit.getAsInt()
                    : "; the plugin process is still running: it may be stuck (see its threads with jstack "
                            + process.pid() + ") or need a longer callTimeout";
            return new PluginCallException(call, status.getCode(), description, exit.isPresent() ? exit.getAsInt()
                    : null, call + about + " timed out: no answer within the call timeout of " + timeout + " ("
                    + statusText + ")" + what + "\n" + output.tail(), e);
        }
        // A dropped connection is how a crash looks from here: wait (bounded) for the exit to tell.
        OptionalInt exit = status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.CANCELLED
                || (status.getCode() == Status.Code.INTERNAL && !process.isAlive())
                ? process.awaitExit(EXIT_GRACE) : process.exitCode();
        if (exit.isPresent()) {
            return new PluginCallException(call, status.getCode(), description, exit.getAsInt(), call + about
                    + " failed: the plugin process exited with code " + exit.getAsInt() + " during the call ("
                    + statusText + ")\n" + output.tail(), e);
        }
        return new PluginCallException(call, status.getCode(), description, null,
                call + about + " failed with " + statusText + "\n" + output.tail(), e);
    }
}
