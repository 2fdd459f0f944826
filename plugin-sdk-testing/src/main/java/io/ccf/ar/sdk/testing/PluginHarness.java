package io.ccf.ar.sdk.testing;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.InitInput;
import io.ccf.ar.proto.InitResult;
import io.ccf.ar.proto.ShutdownInput;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.sdk.Provider;
import io.ccf.ar.sdk.internal.AutoMtls;
import io.ccf.ar.sdk.internal.Handshake;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A plugin running as a real child process, driven the way the assessment runtime drives it:
 * started through the go-plugin handshake, called over gRPC, stopped with {@code Shutdown}
 * and, if it does not exit in time, killed. See the {@linkplain io.ccf.ar.sdk.testing package
 * documentation} for an example.
 *
 * <p>Start one with {@link #forProvider}, {@link #forJar} or {@link #forExecutable}, then
 * {@link PluginHarnessBuilder#start()}; always close it (try-with-resources): closing stops
 * the process, and a harness still open when the JVM exits kills its process from a shutdown
 * hook. Calls are thread-safe; a failed call throws {@link PluginCallException}.
 */
public final class PluginHarness implements AutoCloseable {
    private final HarnessSettings settings;
    private final PluginProcess process;
    private final PluginConnection connection;
    private final PluginCalls calls;
    private final PluginOutput output;
    private final InitResult initResult;
    private final Thread killOnExit;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Map<String, String> evaluateProps = Map.of();

    private PluginHarness(HarnessSettings settings, PluginProcess process, PluginConnection connection,
                          PluginOutput output, InitResult initResult, Thread killOnExit) {
        this.settings = settings;
        this.process = process;
        this.connection = connection;
        this.output = output;
        this.calls = new PluginCalls(connection, process, output, settings.callTimeout());
        this.initResult = initResult;
        this.killOnExit = killOnExit;
    }

    /**
     * A plugin made of a {@link Provider} class on this JVM's class path: the process runs
     * {@code java -cp <java.class.path> io.ccf.ar.sdk.ProviderLauncher <class name> <name>},
     * which creates the provider with its public no-argument constructor and serves it. The
     * plugin's own {@code main} is not used. The child gets this JVM's class path only, so
     * the test must run on the class path (Maven Surefire's default for a project without
     * {@code module-info.java}); on the module path, test the jar with {@link #forJar}.
     *
     * @param provider the provider class, public, concrete, with a public no-argument constructor
     * @return a builder; finish with {@link PluginHarnessBuilder#start()}
     * @throws IllegalArgumentException if the class cannot be created that way
     */
    public static PluginHarnessBuilder forProvider(Class<? extends Provider> provider) {
        return new PluginHarnessBuilder(PluginTarget.provider(provider));
    }

    /**
     * A plugin packaged as an executable jar (a shaded jar whose {@code Main-Class} calls
     * {@code PluginServer.serve}), run with {@code java -jar}, as the runtime runs it.
     *
     * @param jar the jar, e.g. {@code Path.of("target/my-plugin.jar")}; it must exist at
     *     {@code start()} (so a test of it runs after {@code mvn package})
     * @return a builder; finish with {@link PluginHarnessBuilder#start()}
     */
    public static PluginHarnessBuilder forJar(Path jar) {
        return new PluginHarnessBuilder(PluginTarget.jar(jar));
    }

    /**
     * A plugin that is a native executable, e.g. a Go plugin built with HashiCorp
     * go-plugin, run directly.
     *
     * @param executable the plugin binary
     * @return a builder; finish with {@link PluginHarnessBuilder#start()}
     */
    public static PluginHarnessBuilder forExecutable(Path executable) {
        return new PluginHarnessBuilder(PluginTarget.executable(executable));
    }

    /** Spawn, handshake, connect, health, stdio, Init; on any failure the process is killed. */
    static PluginHarness start(PluginTarget target, HarnessSettings settings) {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        PluginOutput output = new PluginOutput(settings.echo(), "[plugin " + settings.name() + "] ");
        PluginProcess process = null;
        PluginConnection connection = null;
        Thread killOnExit = null;
        String step = "spawn the plugin process";
        try {
            AutoMtls.HostSide tls = settings.autoMtls() ? AutoMtls.HostSide.create() : null;
            List<String> command = target.command(settings.jvmOptions(), settings.name());
            process = PluginProcess.spawn(command, environment(settings, tls), settings.unsetEnvironment(), output,
                    settings.name());
            PluginProcess started = process;
            killOnExit = new Thread(started::kill, "plugin-harness-kill-" + settings.name());
            Runtime.getRuntime().addShutdownHook(killOnExit);

            step = "read the go-plugin handshake";
            HandshakeReply reply = HandshakeReply.parse(process.awaitHandshake(left(deadline), settings.startTimeout()));
            SslContext context = tls != null && !reply.serverCert().isEmpty()
                    ? tls.clientContext(reply.serverCert()) : null;
            step = "connect to " + reply.network() + " " + reply.address() + (context != null ? " (auto-mTLS)" : "");
            connection = PluginConnection.dial(reply, context);
            connection.checkHealth(left(deadline));
            connection.streamStdio(output);

            step = "call Init";
            // bounded by the start timeout, not the call timeout: the first call also warms the plugin's JVM up
            PluginCalls init = new PluginCalls(connection, process, output, left(deadline));
            InitResult result = initOrDefault(init, settings);
            return new PluginHarness(settings, process, connection, output, result, killOnExit);
        } catch (Exception e) {
            if (connection != null) {
                connection.close();
            }
            OptionalInt exit = OptionalInt.empty();
            if (process != null) {
                exit = process.exitCode();
                process.kill();
                removeHook(killOnExit);
            }
            String why = e instanceof PluginCallException ? e.getMessage() : e.getMessage() + "\n" + output.tail();
            String exited = exit.isPresent() ? " (exited with code " + exit.getAsInt() + ")" : "";
            throw new PluginStartException("cannot start plugin " + settings.name() + exited + ": failed to "
                    + step + ": " + why, e);
        }
    }

    private static InitResult initOrDefault(PluginCalls init, HarnessSettings settings) {
        try {
            return init.call("Init", "", stub -> stub.init(InitInput.newBuilder()
                    .setPluginName(settings.name())
                    .setRuntimeId("plugin-harness")
                    .putAllConfiguration(settings.configuration())
                    .build()));
        } catch (PluginCallException e) {
            if (e.code() == Status.Code.UNIMPLEMENTED) {
                return InitResult.getDefaultInstance(); // an older plugin without lifecycle calls
            }
            throw e;
        }
    }

    private static Map<String, String> environment(HarnessSettings settings, AutoMtls.HostSide tls)
            throws Exception {
        Map<String, String> env = new HashMap<>(settings.environment());
        env.put(Handshake.COOKIE_KEY, Handshake.COOKIE_VALUE);
        env.put("PLUGIN_PROTOCOL_VERSIONS", Integer.toString(HandshakeReply.APP_PROTOCOL_VERSION));
        env.putIfAbsent("PLUGIN_MIN_PORT", "10000");
        env.putIfAbsent("PLUGIN_MAX_PORT", "25000");
        env.putIfAbsent("AR_PLUGIN_LOG_LEVEL", settings.logLevel().name().toLowerCase(java.util.Locale.ROOT));
        if (tls != null) {
            env.put(AutoMtls.ENV_CLIENT_CERT, tls.certificatePem());
        }
        return env;
    }

    private static Duration left(long deadline) {
        long nanos = deadline - System.nanoTime();
        if (nanos <= 0) {
            throw new IllegalStateException("the start timeout passed");
        }
        return Duration.ofNanos(nanos);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void removeHook(Thread hook) {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook is running or ran
        }
    }

    /**
     * Calls {@code Evaluate} with the configuration and the plan; the result's {@code Props}
     * are kept for later {@link #execute(Subject)} calls, as the runtime hands them to every
     * {@code Execute} of a run.
     *
     * @return the plugin's answer
     * @throws PluginCallException if the call fails
     */
    public EvaluateResult evaluate() {
        return evaluate(EvaluateInput.newBuilder()
                .setPlan(settings.plan())
                .putAllConfiguration(settings.configuration())
                .build());
    }

    /**
     * Calls {@code Evaluate} with exactly {@code input} (the harness's configuration is not
     * added); the result's {@code Props} are kept like {@link #evaluate()} does.
     *
     * @param input what to send
     * @return the plugin's answer
     * @throws PluginCallException if the call fails
     */
    public EvaluateResult evaluate(EvaluateInput input) {
        EvaluateResult result = calls.call("Evaluate", "", stub -> stub.evaluate(input));
        evaluateProps = Map.copyOf(result.getPropsMap());
        return result;
    }

    /**
     * Calls {@code Execute} for one subject, with the configuration, the plan and the
     * {@code Props} of the last {@code Evaluate} (none before the first).
     *
     * @param subject the subject, usually one of {@link #evaluate()}'s
     * @return the plugin's answer
     * @throws PluginCallException if the call fails
     */
    public ExecuteResult execute(Subject subject) {
        return execute(ExecuteInput.newBuilder()
                .setPlan(settings.plan())
                .setSubject(subject)
                .putAllProps(evaluateProps)
                .putAllConfiguration(settings.configuration())
                .build());
    }

    /**
     * Calls {@code Execute} with exactly {@code input} (nothing is added).
     *
     * @param input what to send
     * @return the plugin's answer
     * @throws PluginCallException if the call fails
     */
    public ExecuteResult execute(ExecuteInput input) {
        String about = input.hasSubject() ? " of subject '" + input.getSubject().getId() + "'" : "";
        return calls.call("Execute", about, stub -> stub.execute(input));
    }

    /**
     * One run, as the runtime makes it: {@link #evaluate()}, then {@link #execute(Subject)}
     * for each subject, one after the other, in order.
     *
     * @return one result per subject, in the subjects' order (empty if there were none)
     * @throws PluginCallException at the first call that fails
     */
    public List<ExecuteResult> executeAll() {
        List<ExecuteResult> results = new ArrayList<>();
        for (Subject subject : evaluate().getSubjectsList()) {
            results.add(execute(subject));
        }
        return results;
    }

    /**
     * What {@code Init} returned at the start.
     *
     * @return the result; the empty result if the plugin does not implement {@code Init}
     */
    public InitResult initResult() {
        return initResult;
    }

    /**
     * What the plugin logged so far: its stderr lines (PluginLog's hclog JSON lines and
     * anything else written to {@code System.err}) and, prefixed with {@code "stdio stdout: "},
     * what it printed to {@code System.out}, in arrival order. Lines arrive asynchronously: a
     * line logged during a call may come shortly after the call returned, so to check for one
     * use {@link #awaitLogLine(String)}.
     *
     * @return a snapshot (at most the last 20,000 lines)
     */
    public List<String> logLines() {
        return output.lines();
    }

    /**
     * Waits until the plugin logged a line containing {@code fragment}, at most the call timeout.
     *
     * @param fragment text the line contains, e.g. {@code "\"@message\":\"evaluated\""}
     * @return the first such line
     * @throws AssertionError if there is none in time, with the lines logged so far
     */
    public String awaitLogLine(String fragment) {
        try {
            Optional<String> line = output.await(l -> l.contains(fragment), settings.callTimeout());
            return line.orElseThrow(() -> new AssertionError("plugin " + settings.name()
                    + " logged no line containing \"" + fragment + "\" within " + settings.callTimeout() + "; "
                    + output.tail()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a log line", e);
        }
    }

    /**
     * The plugin process's id, e.g. to check with {@link ProcessHandle#of(long)} that it is gone.
     *
     * @return the child's pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * Whether the plugin process is running.
     *
     * @return {@code false} once it exited or was stopped
     */
    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * The plugin process's exit code.
     *
     * @return the code once it exited, empty while it runs
     */
    public OptionalInt exitCode() {
        return process.exitCode();
    }

    /**
     * Stops the plugin the way the runtime does, within the stop timeout: {@code Shutdown} (if
     * the plugin is still running; failures are ignored), go-plugin's
     * {@code GRPCController.Shutdown}, a wait for the process to exit, and once the stop
     * timeout has passed a kill of the process and its descendants. Returns once the process
     * is gone. Idempotent; never throws.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + settings.stopTimeout().toNanos();
        try {
            if (process.isAlive()) {
                askToStop(deadline);
            }
            connection.close();
            long left = Math.max(0, deadline - System.nanoTime());
            if (process.awaitExit(Duration.ofNanos(left)).isEmpty()) {
                process.kill();
                output.add("[harness] killed the plugin: it did not exit within the stop timeout of "
                        + settings.stopTimeout());
            }
        } finally {
            process.kill();
            removeHook(killOnExit);
        }
    }

    private void askToStop(long deadline) {
        try {
            connection.jobs(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))).shutdown(
                    ShutdownInput.newBuilder().setPluginName(settings.name()).setReason("test finished").build());
        } catch (StatusRuntimeException e) {
            // UNIMPLEMENTED (an older plugin), or a plugin that crashed or hangs: it is stopped below
        }
        try {
            connection.controllerShutdown(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        } catch (StatusRuntimeException e) {
            // the plugin usually closes the connection while it answers
        }
    }
}
