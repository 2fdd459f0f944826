package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.automtls.AutoMtlsIdentity;
import io.ccf.ar.proto.goplugin.ConnInfo;
import io.ccf.ar.proto.goplugin.Empty;
import io.ccf.ar.proto.goplugin.GRPCBrokerGrpc;
import io.ccf.ar.proto.goplugin.GRPCControllerGrpc;
import io.ccf.ar.proto.goplugin.GRPCStdioGrpc;
import io.ccf.ar.proto.goplugin.StdioData;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.StreamObserver;

/**
 * One running plugin child process and its gRPC connection: the host side of go-plugin
 * (start, handshake, dial, health, stdio and broker streams, exit detection, stop).
 */
final class PluginProcess {
    private static final Logger log = LoggerFactory.getLogger(PluginProcess.class);
    /** go-plugin's health service name; the host's ping checks exactly this. */
    static final String HEALTH_SERVICE = "plugin";
    /**
     * The longest handshake line the host reads (go-plugin's are under 100 bytes without mTLS, about 1 KiB
     * with a P-521 certificate); a plugin printing more, or no newline, fails its start.
     */
    static final int HANDSHAKE_LINE_MAX_BYTES = 4 * 1024;

    private final PluginPackage pkg;
    private final Process process;
    private final OutputTail tail;
    private final Thread stderrThread;
    private final HandshakeLine handshake;
    private final ManagedChannel channel;
    private final PluginLogForwarder forwarder;
    private final boolean ownGroup;
    private volatile StreamObserver<ConnInfo> brokerStream;
    private volatile StartSteps startSteps;

    /**
     * Where a start's time went, in ms from the launch: the child's handshake line read, and the
     * connection ready (TLS, health check, stdio and broker streams).
     */
    record StartSteps(long handshakeMs, long readyMs) {
    }

    private PluginProcess(PluginPackage pkg, Process process, OutputTail tail, Thread stderrThread,
                          HandshakeLine handshake, ManagedChannel channel, PluginLogForwarder forwarder,
                          boolean ownGroup) {
        this.forwarder = forwarder;
        this.ownGroup = ownGroup;
        this.pkg = pkg;
        this.process = process;
        this.tail = tail;
        this.stderrThread = stderrThread;
        this.handshake = handshake;
        this.channel = channel;
    }

    /**
     * Launches the package, waits for its handshake, dials it and checks its health. When any of it
     * fails the child and its descendants are killed before the exception leaves: a failed start
     * never leaves a live process behind.
     *
     * @param onExit called once when the process exits, whatever the reason
     */
    static PluginProcess start(PluginPackage pkg, PluginHostOptions options, JavaPluginCommand javaCommand,
                               ProcessLauncher launcher, PluginChannels channels, Map<String, String> logContext,
                               Consumer<PluginProcess> onExit) {
        long startNanos = System.nanoTime();
        boolean ownGroup = launcher.ownProcessGroup();
        OutputTail tail = new OutputTail(20);
        PluginLogForwarder forwarder = new PluginLogForwarder(pkg.ref(), logContext, tail);
        PluginSocketDir socketDir = PluginSocketDir.create(options.unixSocketDir(), pkg.ref());
        // go-plugin AutoMTLS: a certificate for this launch only; its key never leaves this process
        AutoMtlsIdentity identity = options.autoMTLS() ? PluginTls.generate() : null;
        Process process;
        try {
            process = launcher.start(command(pkg, javaCommand), environment(pkg, options, socketDir, identity),
                    pkg.file().getParent());
        } catch (IOException | RuntimeException e) {
            socketDir.delete();
            throw new PluginStartException("cannot start plugin " + pkg.ref() + " (" + pkg.file() + "): " + e.getMessage(), e);
        }
        // whatever ends the process (stop, kill, crash), its socket directory goes with it
        process.onExit().thenRun(socketDir::delete);
        ManagedChannel channel = null;
        try {
            closeQuietly(process);
            Thread stderrThread = daemon("plugin-stderr-" + pkg.ref(), () -> forwarder.drain(process.getErrorStream()));
            CompletableFuture<String> firstLine = new CompletableFuture<>();
            daemon("plugin-stdout-" + pkg.ref(), () -> readStdout(process, forwarder, firstLine));

            HandshakeLine handshake;
            SslContext tls;
            long handshakeNanos;
            try {
                handshake = HandshakeLine.parse(awaitHandshake(pkg, options, process, ownGroup, firstLine, stderrThread),
                        options.appProtocolVersions());
                handshakeNanos = System.nanoTime();
                tls = tls(handshake, identity);
            } catch (HandshakeException e) {
                throw new PluginStartException("plugin " + pkg.ref() + " (" + pkg.file() + "): " + e.getMessage()
                        + "\n" + tail.render());
            }
            if (handshake.network() == HandshakeLine.Network.UNIX && !socketDir.holds(handshake.address())) {
                log.atDebug().addKeyValue("plugin", pkg.ref().toString()).addKeyValue("socket", handshake.address())
                        .log("plugin socket is outside the directory the host made for it; the host will not remove it");
            }
            try {
                channel = channels.dial(handshake, options.maxMessageSize(), tls);
            } catch (PluginStartException e) {
                throw new PluginStartException("plugin " + pkg.ref() + " (" + pkg.file() + "): " + e.getMessage(), e);
            }
            PluginProcess plugin = new PluginProcess(pkg, process, tail, stderrThread, handshake, channel, forwarder, ownGroup);
            Duration left = options.startTimeout().minusNanos(System.nanoTime() - startNanos);
            plugin.checkHealth(left.isNegative() ? Duration.ofSeconds(1) : left);
            plugin.openStreams();
            plugin.startSteps = new StartSteps(TimeUnit.NANOSECONDS.toMillis(handshakeNanos - startNanos),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            ManagedChannel dialled = channel;
            process.onExit().thenRun(() -> {
                dialled.shutdownNow();
                onExit.accept(plugin);
            });
            return plugin;
        } catch (RuntimeException | Error e) {
            ProcessTree.kill(process, ownGroup);
            if (channel != null) {
                channel.shutdownNow();
            }
            if (e instanceof PluginException pe) {
                throw pe;
            }
            throw new PluginStartException("plugin " + pkg.ref() + " failed to start: " + e + "\n" + tail.render(), e);
        }
    }

    private static List<String> command(PluginPackage pkg, JavaPluginCommand javaCommand) {
        if (pkg.kind() == PluginPackage.Kind.EXECUTABLE) {
            return List.of(pkg.file().toString());
        }
        return javaCommand.command(pkg);
    }

    /**
     * AutoMTLS on: the plugin must have answered with its certificate (go-plugin's hosts would try TLS
     * against a plaintext server and fail with an obscure error; we say why). Off: a certificate in
     * field 6 is refused too (go-plugin 1.0.1's host would crash on it), as the plugin then serves TLS.
     */
    private static SslContext tls(HandshakeLine handshake, AutoMtlsIdentity identity) throws HandshakeException {
        boolean offered = handshake.serverCert().length() > PluginTls.MIN_CERT_FIELD_LENGTH;
        if (identity == null) {
            if (offered) {
                throw new HandshakeException("the plugin returned a TLS certificate in handshake field 6 although the host"
                        + " did not ask for auto-mTLS (pluginHost.autoMTLS: false); it would serve TLS the host does not speak");
            }
            return null;
        }
        if (!offered) {
            throw new HandshakeException("the plugin returned no certificate in handshake field 6, although the host asked for"
                    + " auto-mTLS (PLUGIN_CLIENT_CERT): it predates go-plugin's AutoMTLS or ignores it. Rebuild it with"
                    + " go-plugin >= 1.0 or the current SDK, or set pluginHost.autoMTLS: false to run plugins over plaintext");
        }
        return PluginTls.clientContext(identity, PluginTls.parseHandshakeCert(handshake.serverCert()));
    }

    private static Map<String, String> environment(PluginPackage pkg, PluginHostOptions options, PluginSocketDir socketDir,
                                                   AutoMtlsIdentity identity) {
        Map<String, String> env = options.environment().resolve(pkg.ref().name(), System.getenv());
        // The protocol's own variables come last and always reach the plugin.
        env.remove("PLUGIN_CLIENT_CERT");
        if (identity != null) {
            env.put("PLUGIN_CLIENT_CERT", identity.pem());
        }
        env.put(PluginHostOptions.COOKIE_KEY, PluginHostOptions.COOKIE_VALUE);
        env.put("PLUGIN_PROTOCOL_VERSIONS", options.protocolVersionsEnv());
        env.put("PLUGIN_MIN_PORT", Integer.toString(options.minPort()));
        env.put("PLUGIN_MAX_PORT", Integer.toString(options.maxPort()));
        env.put("PLUGIN_UNIX_SOCKET_DIR", socketDir.toString());
        // go-plugin before 1.5 ignores PLUGIN_UNIX_SOCKET_DIR and makes its socket in os.TempDir()
        env.put("TMPDIR", socketDir.toString());
        return env;
    }

    /**
     * The first stdout line is the handshake, read with a bound of {@link #HANDSHAKE_LINE_MAX_BYTES}; the
     * rest is drained and logged (a Go plugin blocks otherwise).
     */
    private static void readStdout(Process process, PluginLogForwarder forwarder, CompletableFuture<String> firstLine) {
        BoundedLineReader reader = new BoundedLineReader(process.getInputStream());
        try {
            BoundedLineReader.Line line = reader.readLineOrOverflow(HANDSHAKE_LINE_MAX_BYTES);
            if (line == null) {
                firstLine.completeExceptionally(new IOException("stdout closed before the handshake"));
                return;
            }
            if (line.truncated()) {
                firstLine.completeExceptionally(new HandshakeException("handshake line longer than "
                        + HANDSHAKE_LINE_MAX_BYTES + " bytes (the host's limit) or without a newline: \""
                        + HandshakeLine.abbreviate(line.text()) + "\"; a plugin must print nothing on stdout before the handshake"));
                return;
            }
            firstLine.complete(line.text());
        } catch (IOException e) {
            firstLine.completeExceptionally(e);
            return;
        }
        forwarder.drainStdout(reader);
    }

    private static String awaitHandshake(PluginPackage pkg, PluginHostOptions options, Process process, boolean ownGroup,
                                         CompletableFuture<String> firstLine, Thread stderrThread)
            throws HandshakeException {
        try {
            return firstLine.get(options.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            ProcessTree.kill(process, ownGroup);
            throw new HandshakeException("no handshake within " + options.startTimeout().toMillis()
                    + " ms (startTimeout); the process was killed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PluginStartException("interrupted while starting plugin " + pkg.ref());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HandshakeException tooLong) {
                throw tooLong;
            }
            // stdout closed: the process is exiting. Wait for it and for the last stderr lines.
            String exit;
            try {
                exit = "exited with code " + process.onExit().get(5, TimeUnit.SECONDS).exitValue();
                stderrThread.join(2000);
            } catch (Exception notYet) {
                ProcessTree.kill(process, ownGroup);
                exit = "closed its stdout and was killed";
            }
            throw new HandshakeException(exit + " before the handshake");
        }
    }

    private void checkHealth(Duration timeout) {
        try {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .withWaitForReady()
                    .check(HealthCheckRequest.newBuilder().setService(HEALTH_SERVICE).build());
            if (response.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
                throw new PluginStartException("plugin " + pkg.ref() + " reports health " + response.getStatus()
                        + " for service \"plugin\"\n" + tail.render());
            }
        } catch (StatusRuntimeException e) {
            throw new PluginStartException("plugin " + pkg.ref() + " completed the handshake at "
                    + handshake.network().name().toLowerCase() + ":" + handshake.address()
                    + " but failed the health check: " + StatusText.of(e.getStatus()) + "\n" + tail.render(), e);
        }
    }

    /** go-plugin hosts open the stdio and broker streams right away; old plugins may lack either. */
    private void openStreams() {
        GRPCStdioGrpc.newStub(channel).streamStdio(com.google.protobuf.Empty.getDefaultInstance(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(StdioData data) {
                        forwarder.forwardChunk(data.getChannel() == StdioData.Channel.STDERR, data.getData());
                    }

                    @Override
                    public void onError(Throwable t) {
                        Status status = Status.fromThrowable(t);
                        if (status.getCode() == Status.Code.UNIMPLEMENTED) {
                            log.debug("plugin {} does not serve GRPCStdio (go-plugin before 1.3); stdio comes on the pipes", pkg.ref());
                        } else if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                            log.atWarn().addKeyValue("plugin", pkg.ref().toString())
                                    .log("plugin stdio stream closed: {} (pluginHost.maxMessageSize)", StatusText.of(status));
                        }
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        brokerStream = GRPCBrokerGrpc.newStub(channel).startStream(new StreamObserver<>() {
            @Override
            public void onNext(ConnInfo info) {
                log.debug("plugin {} asked the broker for stream {}; callbacks are not supported", pkg.ref(), info.getServiceId());
            }

            @Override
            public void onError(Throwable t) {
                // plugins may leave the broker unimplemented; go-plugin hosts ignore this too
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    PluginPackage pkg() {
        return pkg;
    }

    StartSteps startSteps() {
        return startSteps;
    }

    HandshakeLine handshake() {
        return handshake;
    }

    ManagedChannel channel() {
        return channel;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits (through the Process itself, so isAlive agrees afterwards) for the exit; true if it exited. */
    boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** Exit code and stderr tail, for messages about a plugin that died. */
    String describeExit() {
        try {
            stderrThread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return describeExitCode() + "\n" + tail.render();
    }

    /** Exit code only, for logs (the stderr lines were logged as they came). */
    String describeExitCode() {
        String how = process.isAlive() ? "is still running" : "exited with code " + process.exitValue();
        return "plugin " + pkg.ref() + " (pid " + process.pid() + ") " + how;
    }

    /** Controller.Shutdown, wait up to {@code grace}, then kill. Returns true when it exited by itself. */
    boolean stop(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        boolean graceful = false;
        if (process.isAlive()) {
            try {
                GRPCControllerGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(grace.toMillis(), TimeUnit.MILLISECONDS)
                        .shutdown(Empty.getDefaultInstance());
            } catch (StatusRuntimeException e) {
                // UNAVAILABLE: the plugin stopped before answering, which is what we asked for.
                log.debug("Controller.Shutdown of {} answered {}", pkg.ref(), e.getStatus().getCode());
            }
            try {
                long left = deadline - System.nanoTime();
                graceful = process.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!graceful) {
            kill();
        }
        StreamObserver<ConnInfo> broker = brokerStream;
        if (broker != null) {
            try {
                broker.onCompleted();
            } catch (RuntimeException ignored) {
                // channel already gone
            }
        }
        channel.shutdownNow();
        return graceful;
    }

    /** Kills the process and its descendants; its socket directory goes when the exit lands. */
    void kill() {
        ProcessTree.kill(process, ownGroup);
        channel.shutdownNow();
    }

    /** Lines of this plugin's output dropped by the log rate limit so far. */
    long suppressedLogLines() {
        return forwarder.suppressedLines();
    }

    /** Plugins read nothing from stdin; close it so a plugin that tries sees EOF. */
    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to close
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
