package io.ccf.ar.runtime.plugin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.InitInput;
import io.ccf.ar.proto.JobServiceGrpc;
import io.ccf.ar.proto.ShutdownInput;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The host's handle on one package version: starts its child process on demand, routes calls to
 * it, restarts it after a crash (the next call restarts; repeated failures back off), and stops it.
 * Thread-safe; calls run concurrently on one connection.
 */
public final class PluginClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginClient.class);
    /** An UNAVAILABLE call usually means the process is going: how long to let its exit land. */
    private static final Duration EXIT_GRACE = Duration.ofMillis(500);

    private final PluginPackage pkg;
    private final List<PluginSpec> plugins;
    private final PluginHostOptions options;
    private final JavaPluginCommand javaCommand;
    private final ProcessLauncher launcher;
    private final PluginChannels channels;
    private final Map<String, String> logContext;
    private final PluginMetrics metrics;

    private final Object lock = new Object();
    private volatile PluginProcess current;
    private volatile PluginState state = PluginState.NEW;
    private volatile int consecutiveFailures;
    private long lastFailureNanos;
    private String lastFailure = "";
    private boolean stopped;
    private final AtomicInteger callsInFlight = new AtomicInteger();
    private final AtomicInteger restarts = new AtomicInteger();
    private final AtomicBoolean retiring = new AtomicBoolean();
    private final AtomicBoolean retired = new AtomicBoolean();

    PluginClient(PluginPackage pkg, List<PluginSpec> plugins, PluginHostOptions options,
                 JavaPluginCommand javaCommand, ProcessLauncher launcher, PluginChannels channels) {
        this(pkg, plugins, options, javaCommand, launcher, channels, PluginMetrics.NONE);
    }

    PluginClient(PluginPackage pkg, List<PluginSpec> plugins, PluginHostOptions options,
                 JavaPluginCommand javaCommand, ProcessLauncher launcher, PluginChannels channels, PluginMetrics metrics) {
        this.javaCommand = javaCommand;
        this.metrics = metrics;
        this.pkg = pkg;
        this.plugins = List.copyOf(plugins);
        this.options = options;
        this.launcher = launcher;
        this.channels = channels;
        this.logContext = Map.of("package", pkg.ref().name(), "version", pkg.ref().version());
    }

    public PackageRef ref() {
        return pkg.ref();
    }

    public PluginState state() {
        return state;
    }

    /** How many times the child was started again (after a crash or a failed start) and became ready. */
    public int restarts() {
        return restarts.get();
    }

    /** The pid of the running child, if one runs. */
    public OptionalLong pid() {
        PluginProcess p = current;
        return p != null && p.isAlive() ? OptionalLong.of(p.pid()) : OptionalLong.empty();
    }

    /** The handshake of the running child, if one runs (tests: the address, the certificate of field 6). */
    java.util.Optional<HandshakeLine> handshake() {
        PluginProcess p = current;
        return p != null && p.isAlive() ? java.util.Optional.of(p.handshake()) : java.util.Optional.empty();
    }

    /** Whether a child runs now (it may still exit before the next call, which then starts another). */
    public boolean isRunning() {
        PluginProcess p = current;
        return p != null && p.isAlive();
    }

    /** Starts the child now (otherwise the first call does). */
    public void start() {
        ensureRunning();
    }

    public EvaluateResult evaluate(EvaluateInput input) {
        return call("Evaluate", stub -> stub.evaluate(input));
    }

    public ExecuteResult execute(ExecuteInput input) {
        return call("Execute", stub -> stub.execute(input));
    }

    /** Evaluate/Execute calls running now. */
    public int callsInFlight() {
        return callsInFlight.get();
    }

    /**
     * Stops the child once no call is in flight (at once when none is), on a thread of its own so that the
     * caller, or the run whose call ends last, does not wait for the stop. For a package version no job uses
     * any more; the manager has already stopped handing this client out.
     */
    void retireWhenIdle() {
        retiring.set(true);
        if (callsInFlight.get() == 0) {
            retireNow();
        }
    }

    private void retireNow() {
        if (retired.compareAndSet(false, true)) {
            Thread t = new Thread(this::stop, "plugin-retire-" + pkg.ref());
            t.setDaemon(true);
            t.start();
        }
    }

    private <T> T call(String method, Function<JobServiceGrpc.JobServiceBlockingStub, T> rpc) {
        callsInFlight.incrementAndGet();
        try {
            return callNow(method, rpc);
        } finally {
            if (callsInFlight.decrementAndGet() == 0 && retiring.get()) {
                retireNow();
            }
        }
    }

    private <T> T callNow(String method, Function<JobServiceGrpc.JobServiceBlockingStub, T> rpc) {
        PluginProcess process = ensureRunning();
        try {
            T result = rpc.apply(JobServiceGrpc.newBlockingStub(process.channel())
                    .withDeadlineAfter(options.callTimeout().toMillis(), TimeUnit.MILLISECONDS));
            if (consecutiveFailures != 0) {
                synchronized (lock) {
                    consecutiveFailures = 0;
                }
            }
            return result;
        } catch (StatusRuntimeException e) {
            throw translate(method, process, e);
        }
    }

    private PluginCallException translate(String method, PluginProcess process, StatusRuntimeException e) {
        Status status = e.getStatus();
        String message;
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            message = "plugin " + pkg.ref() + " did not answer " + method + " within "
                    + options.callTimeout().toMillis() + " ms (callTimeout)";
        } else if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED && status.getDescription() != null
                && status.getDescription().contains("exceeds maximum size")) {
            // grpc-java's own check on the response (the plugin did not answer RESOURCE_EXHAUSTED): the
            // stream was cancelled, the connection and the plugin are fine.
            message = "plugin " + pkg.ref() + " " + method + " response is larger than the host accepts ("
                    + options.maxMessageSize() + " bytes, pluginHost.maxMessageSize): " + StatusText.of(status)
                    + "; the call failed, the plugin keeps running";
        } else if (!process.isAlive() || (status.getCode() == Status.Code.UNAVAILABLE && process.awaitExit(EXIT_GRACE))) {
            message = "plugin " + pkg.ref() + " died during " + method + ": " + process.describeExit();
        } else {
            message = "plugin " + pkg.ref() + " " + method + " failed: " + StatusText.of(status);
        }
        return new PluginCallException(message, status.getCode(), e);
    }

    private PluginProcess ensureRunning() {
        PluginProcess running = current;
        if (running != null && running.isAlive()) {
            return running;
        }
        synchronized (lock) {
            if (stopped) {
                throw new PluginException("plugin " + pkg.ref() + " is stopped");
            }
            running = current;
            if (running != null && running.isAlive()) {
                return running;
            }
            boolean restart = consecutiveFailures > 0 || running != null;
            if (consecutiveFailures > 0) {
                long waitMillis = backoff(consecutiveFailures).toMillis()
                        - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastFailureNanos);
                if (waitMillis > 0) {
                    throw new PluginStartException("plugin " + pkg.ref() + " is not running (failed "
                            + consecutiveFailures + " time(s) in a row); next restart attempt in "
                            + waitMillis + " ms. Last failure: " + lastFailure);
                }
            }
            transition(restart ? PluginState.RESTARTING : PluginState.STARTING);
            long t0 = System.nanoTime();
            try {
                verifyPackage();
                long verified = System.nanoTime();
                PluginProcess started = PluginProcess.start(pkg, options, javaCommand, launcher, channels, logContext, this::onExit);
                current = started;
                long ready = System.nanoTime();
                init(started);
                if (!started.isAlive()) {
                    throw new PluginStartException("plugin " + pkg.ref() + " exited right after starting: " + started.describeExit());
                }
                transition(PluginState.READY);
                if (restart) {
                    restarts.incrementAndGet();
                }
                metrics.pluginStarted(pkg.ref(), restart, System.nanoTime() - t0);
                log.atInfo().addKeyValue("package", pkg.ref().name()).addKeyValue("version", pkg.ref().version())
                        .addKeyValue("pid", started.pid())
                        .addKeyValue("address", started.handshake().network().name().toLowerCase() + ":" + started.handshake().address())
                        .addKeyValue("startMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                        // the start's steps: the plugins.lock check, launch to handshake line, to connection
                        // ready (TLS, health check), the Init calls
                        .addKeyValue("verifyMs", TimeUnit.NANOSECONDS.toMillis(verified - t0))
                        .addKeyValue("handshakeMs", started.startSteps().handshakeMs())
                        .addKeyValue("readyMs", started.startSteps().readyMs())
                        .addKeyValue("initMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ready))
                        .log("plugin started");
                return started;
            } catch (PluginException e) {
                PluginProcess failed = current;
                if (failed != null) {
                    failed.kill();
                    current = null;
                }
                recordFailure(e.getMessage());
                metrics.pluginStartFailed(pkg.ref());
                log.atError().addKeyValue("package", pkg.ref().name()).addKeyValue("version", pkg.ref().version())
                        .log("plugin failed to start: {}", e.getMessage());
                throw e;
            }
        }
    }

    private void verifyPackage() {
        try {
            options.packageVerifier().verify(pkg);
        } catch (PluginException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PluginStartException("plugin " + pkg.ref() + " refused before launch: " + e.getMessage(), e);
        }
    }

    /** Once per configured plugin after each start. UNIMPLEMENTED (old Go plugins) counts as success. */
    private void init(PluginProcess process) {
        JobServiceGrpc.JobServiceBlockingStub stub = JobServiceGrpc.newBlockingStub(process.channel());
        for (PluginSpec spec : plugins) {
            try {
                stub.withDeadlineAfter(options.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                        .init(InitInput.newBuilder()
                                .setPluginName(spec.name())
                                .setRuntimeId(options.runtimeId())
                                .putAllConfiguration(spec.configuration())
                                .setPackage(pkg.ref().name())
                                .setVersion(pkg.ref().version())
                                .build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                    throw new PluginStartException("Init of plugin \"" + spec.name() + "\" (" + pkg.ref() + ") failed: "
                            + StatusText.of(e.getStatus()), e);
                }
            }
        }
    }

    private void onExit(PluginProcess process) {
        synchronized (lock) {
            if (current != process || stopped) {
                return;
            }
            current = null;
            recordFailure(process.describeExit());
            metrics.pluginExited(pkg.ref());
            log.atWarn().addKeyValue("package", pkg.ref().name()).addKeyValue("version", pkg.ref().version())
                    .log("plugin exited unexpectedly; the next call restarts it: {}", process.describeExitCode());
        }
    }

    private void recordFailure(String why) {
        consecutiveFailures++;
        lastFailureNanos = System.nanoTime();
        lastFailure = why;
        transition(PluginState.FAILED);
    }

    /** No wait before the first restart; then restartBackoff doubling up to maxRestartBackoff. */
    Duration backoff(int failures) {
        if (failures <= 1) {
            return Duration.ZERO;
        }
        long factor = 1L << Math.min(failures - 2, 20);
        Duration d = options.restartBackoff().multipliedBy(factor);
        return d.compareTo(options.maxRestartBackoff()) > 0 ? options.maxRestartBackoff() : d;
    }

    /** Always called holding {@code lock}. */
    private void transition(PluginState next) {
        if (state != next) {
            log.atDebug().addKeyValue("package", pkg.ref().name()).addKeyValue("version", pkg.ref().version())
                    .addKeyValue("from", state).addKeyValue("to", next).log("plugin state");
            state = next;
            lock.notifyAll();
        }
    }

    /** Waits until the plugin reaches {@code target}; true if it did within {@code timeout}. */
    public boolean awaitState(PluginState target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (state != target) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                lock.wait(left);
            }
            return true;
        }
    }

    /** JobService.Shutdown per plugin, then Controller.Shutdown, then (after the grace) a kill. */
    public void stop() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            PluginProcess process = current;
            if (process == null || !process.isAlive()) {
                transition(PluginState.STOPPED);
                return;
            }
            transition(PluginState.STOPPING);
            long t0 = System.nanoTime();
            JobServiceGrpc.JobServiceBlockingStub stub = JobServiceGrpc.newBlockingStub(process.channel())
                    .withDeadlineAfter(options.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
            for (PluginSpec spec : plugins) {
                try {
                    stub.shutdown(ShutdownInput.newBuilder().setPluginName(spec.name()).setReason("runtime stopping").build());
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                        log.warn("Shutdown of plugin \"{}\" ({}) answered {}", spec.name(), pkg.ref(), StatusText.of(e.getStatus()));
                    }
                }
            }
            boolean graceful = process.stop(options.stopTimeout());
            current = null;
            transition(PluginState.STOPPED);
            log.atInfo().addKeyValue("package", pkg.ref().name()).addKeyValue("version", pkg.ref().version())
                    .addKeyValue("graceful", graceful)
                    .addKeyValue("stopMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                    .log(graceful ? "plugin stopped" : "plugin killed after the stop grace period");
        }
    }

    @Override
    public void close() {
        stop();
    }
}
