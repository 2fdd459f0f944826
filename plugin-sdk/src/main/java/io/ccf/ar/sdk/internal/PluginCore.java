package io.ccf.ar.sdk.internal;

import io.ccf.ar.proto.ShutdownInput;
import io.ccf.ar.proto.ShutdownResult;
import io.ccf.ar.sdk.Provider;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One plugin's gRPC server: health ("plugin" SERVING), GRPCController,
 * GRPCStdio, JobService; its listener (TCP port range or Unix socket); and the
 * stop sequence. In process mode ({@link #serve}) stopping ends the JVM; in
 * embedded mode ({@link #startEmbedded}) it only stops the server.
 */
public final class PluginCore {
    /** Total time the stop sequence may take before the process is halted (hosts kill after 2 s). */
    static final long STOP_BUDGET_MS = 1700;
    /** Netty's switch for its JFR allocator events (grpc-netty-shaded's relocated name). */
    static final String NETTY_JFR_PROPERTY = "io.grpc.netty.shaded.io.netty.jfr.enabled";
    /** Keeps what grpc-netty loads by name in minimized shaded jars (see {@link ShadedJarRoots}); loads no netty class. */
    static final Class<?> SHADED_JAR_ROOTS = ShadedJarRoots.class;

    private final Provider provider;
    private final Options options;
    private final boolean processMode;
    private final StdioRouter stdio;
    private final AtomicBoolean providerShutdown = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private ExecutorService executor;
    private EventLoopGroup group;
    private Server server;
    private String network;
    private String address;
    private Path socketFile;
    private int appVersion;
    private AutoMtls mtls;
    /** The auto-mTLS set-up running beside the server's; null without a host certificate. */
    private Future<AutoMtls> tlsSetup;

    private PluginCore(Provider provider, Options options, boolean processMode, StdioRouter stdio) {
        this.provider = provider;
        this.options = options;
        this.processMode = processMode;
        this.stdio = stdio;
    }

    // ------------------------------------------------------------------ process mode

    /**
     * go-plugin's Serve for this JVM: section 4 of the protocol notes, in order.
     * Never returns: the JVM exits 0 after a controller shutdown or when the
     * parent is gone, 1 on a start-up error.
     */
    public static void serve(Provider provider, Options options) {
        long t0 = System.nanoTime();
        if (provider == null) {
            throw new NullPointerException("provider");
        }
        // Taken first, so a parent that dies while we start is noticed too.
        long parentAtStart = ParentWatcher.parentPid();
        // Before any Netty class: its first pooled buffer would otherwise initialise an allocator event class,
        // and with it JFR's metadata repository (~90 ms of CPU on the event loop, between the handshake line and
        // the first answer) for events nobody records. A plugin that wants them sets the property itself.
        if (System.getProperty(NETTY_JFR_PROPERTY) == null) {
            System.setProperty(NETTY_JFR_PROPERTY, "false");
        }
        Map<String, String> env = System.getenv();
        // 1. The cookie, before anything else; plain text for the human who ran us.
        if (!Handshake.COOKIE_VALUE.equals(env.get(Handshake.COOKIE_KEY))) {
            StderrSink.write(("This program is a plugin for the assessment runtime. It is not meant to be run\n"
                    + "directly: the assessment runtime launches it (setting " + Handshake.COOKIE_KEY
                    + " in its environment)\nand talks to it. Configure the plugin in the runtime and run the runtime"
                    + " instead.\n").getBytes(StandardCharsets.UTF_8));
            System.exit(1);
        }
        // Key generation and TLS set-up overlap everything below up to the server's build.
        Future<AutoMtls> tlsSetup = AutoMtls.startFor(env.get(AutoMtls.ENV_CLIENT_CERT));
        if (options.name != null) {
            Hclog.setRootModule(options.name);
        }
        // From here on System.out never reaches the real stdout (fd 1), which
        // carries the handshake line only; until a host opens the stdio
        // stream, output is mirrored to stderr.
        StdioRouter stdio = StdioRouter.install();
        JulBridge.install("unix".equalsIgnoreCase(env.getOrDefault("AR_PLUGIN_TRANSPORT", "").strip()));
        PluginCore core = new PluginCore(provider, options, true, stdio);
        core.tlsSetup = tlsSetup;
        try {
            core.appVersion = Handshake.negotiate(options.appProtocolVersions, env.get("PLUGIN_PROTOCOL_VERSIONS"));
        } catch (Handshake.NoCommonVersionException e) {
            SdkLog.LOG.error(e.getMessage(), "plugin_versions", versions(options.appProtocolVersions),
                    "host_versions", env.get("PLUGIN_PROTOCOL_VERSIONS"));
            System.exit(1);
        }
        try {
            core.listen(env);
        } catch (Exception e) {
            SdkLog.LOG.error("plugin init error: cannot listen", "error", e.toString());
            core.deleteSocketFile();
            System.exit(1);
        }
        // 4. The handshake: the first and last bytes this process writes to fd 1.
        try {
            java.io.FileOutputStream realStdout = new java.io.FileOutputStream(java.io.FileDescriptor.out);
            realStdout.write(Handshake.line(core.appVersion, core.network, core.address, core.serverCertField())
                    .getBytes(StandardCharsets.US_ASCII));
            realStdout.flush();
        } catch (IOException e) {
            SdkLog.LOG.error("cannot write the handshake to stdout", "error", e.toString());
            System.exit(1);
        }
        long startMs = (System.nanoTime() - t0) / 1_000_000L;
        ignoreSigint();
        ParentWatcher.start(core, parentAtStart);
        SdkLog.LOG.info("plugin started", "network", core.network, "address", core.address,
                "tls", core.mtls != null ? "auto-mTLS" : "plaintext",
                "app_protocol_version", core.appVersion, "pid", ProcessHandle.current().pid(),
                "handlers", options.handlersDoNotBlock ? "event-loop" : "executor", "serve_ms", startMs);
        // Blocks for good: the JVM ends through stop() or the parent watcher.
        while (true) {
            try {
                core.terminated.await();
                // Terminated without exiting can only mean System.exit is running.
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException ignored) {
                // keep serving
            }
        }
    }

    /** The host's terminal may send SIGINT to the whole process group: go-plugin plugins ignore it. */
    @SuppressWarnings("restriction")
    private static void ignoreSigint() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            SdkLog.LOG.warn("cannot ignore SIGINT", "error", e.toString());
        }
    }

    // ------------------------------------------------------------------ embedded mode

    /**
     * Starts the server inside this JVM for tests: no cookie check, System.out
     * untouched, no signal handling or parent watch, and stopping (also by
     * GRPCController.Shutdown) does not exit the JVM. The app version is
     * negotiated against {@code PLUGIN_PROTOCOL_VERSIONS} when it is set.
     */
    public static PluginCore startEmbedded(Provider provider, Options options) throws IOException {
        if (options.name != null) {
            Hclog.setRootModule(options.name);
        }
        PluginCore core = new PluginCore(provider, options, false, null);
        Map<String, String> env = System.getenv();
        core.tlsSetup = AutoMtls.startFor(env.get(AutoMtls.ENV_CLIENT_CERT));
        try {
            core.appVersion = Handshake.negotiate(options.appProtocolVersions, env.get("PLUGIN_PROTOCOL_VERSIONS"));
        } catch (Handshake.NoCommonVersionException e) {
            throw new IOException(e.getMessage(), e);
        }
        core.listen(env);
        return core;
    }

    // ------------------------------------------------------------------ server

    private void listen(Map<String, String> env) throws IOException {
        DefaultThreadFactory threads = new DefaultThreadFactory("plugin-io", true);
        if ("unix".equalsIgnoreCase(env.getOrDefault("AR_PLUGIN_TRANSPORT", "").strip())) {
            listenUnix(env, threads);
        } else {
            listenTcp(env, threads);
        }
    }

    private void listenTcp(Map<String, String> env, DefaultThreadFactory threads) throws IOException {
        int min = port(env, "PLUGIN_MIN_PORT", 10000);
        int max = port(env, "PLUGIN_MAX_PORT", 25000);
        if (min > max) {
            throw new IOException("PLUGIN_MIN_PORT (" + min + ") is greater than PLUGIN_MAX_PORT (" + max + ")");
        }
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(2, threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        for (int port = min; port <= max; port++) {
            try {
                start(new InetSocketAddress(loopback, port), epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
                network = "tcp";
                address = "127.0.0.1:" + port;
                return;
            } catch (IOException e) {
                if (!isAddressInUse(e)) {
                    throw e;
                }
            }
        }
        throw new IOException("no free TCP port on 127.0.0.1 in [" + min + ", " + max + "]");
    }

    private void listenUnix(Map<String, String> env, DefaultThreadFactory threads) throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("Unix sockets need netty's epoll transport, unavailable here: "
                    + Epoll.unavailabilityCause());
        }
        String dirName = env.get("PLUGIN_UNIX_SOCKET_DIR");
        if (dirName == null || dirName.isBlank()) {
            dirName = System.getProperty("java.io.tmpdir");
        }
        Path dir = Paths.get(dirName).toAbsolutePath();
        Files.createDirectories(dir);
        group = new MultiThreadIoEventLoopGroup(2, threads, EpollIoHandler.newFactory());
        long pid = ProcessHandle.current().pid();
        // Removed on exit, whichever way the JVM ends short of SIGKILL or a crash (the host
        // deletes a socket file left behind).
        Runtime.getRuntime().addShutdownHook(new Thread(this::deleteSocketFile, "plugin-socket-cleanup"));
        for (int attempt = 0; ; attempt++) {
            Path file = dir.resolve("plugin-" + pid + "-" + Long.toHexString(System.nanoTime() & 0xffffffffL));
            String path = file.toString();
            if (path.getBytes(StandardCharsets.UTF_8).length > 107) {
                throw new IOException("Unix socket path too long (max 107 bytes): " + path
                        + "; set PLUGIN_UNIX_SOCKET_DIR to a shorter directory");
            }
            if (Files.exists(file)) {
                continue;
            }
            socketFile = file;
            try {
                start(new DomainSocketAddress(path), EpollServerDomainSocketChannel.class);
                network = "unix";
                address = path;
                return;
            } catch (IOException e) {
                if (!isAddressInUse(e) || attempt > 10) {
                    throw e;
                }
            }
        }
    }

    private void start(SocketAddress addr, Class<? extends ServerChannel> channelType) throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("plugin", ServingStatus.SERVING);
        NettyServerBuilder b = NettyServerBuilder.forAddress(addr)
                .channelType(channelType)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group)
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .addService(health.getHealthService())
                .addService(new ControllerService(this))
                .addService(new JobServiceAdapter(provider, this, handlerExecutor()))
                // Every gRPC callback on the event loop (health, controller, stdio and the JobService adapter
                // never block); the adapter hands the provider's code to the pool unless handlersDoNotBlock.
                .directExecutor();
        if (stdio != null) {
            b.addService(stdio);
        }
        if (tlsSetup != null) {
            if (mtls == null) {
                mtls = AutoMtls.await(tlsSetup);
            }
            b.sslContext(mtls.serverContext());
        }
        Server s = b.build();
        try {
            s.start();
        } catch (IOException e) {
            s.shutdownNow();
            throw e;
        }
        server = s;
    }

    /** Where the provider's methods run: the event loop when they do not block, else the SDK's pool. */
    private java.util.concurrent.Executor handlerExecutor() {
        if (options.handlersDoNotBlock) {
            return Runnable::run;
        }
        if (executor == null) {
            executor = newCallExecutor();
        }
        return executor;
    }

    /** The default handler pool: unbounded (the runtime bounds concurrency), daemon threads, idle ones die after 60 s. */
    private static ExecutorService newCallExecutor() {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "plugin-call-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private static boolean isAddressInUse(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BindException) {
                return true;
            }
            String m = c.getMessage();
            if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("address already in use")) {
                return true;
            }
        }
        return false;
    }

    private static int port(Map<String, String> env, String key, int dflt) throws IOException {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int p = Integer.parseInt(v.strip());
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IOException(key + " is not a port number: " + v);
        }
    }

    private void deleteSocketFile() {
        Path f = socketFile;
        if (f != null) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** Calls {@link Provider#shutdown} unless it was called already; returns null if it was. */
    ShutdownResult shutdownProviderOnce(ShutdownInput input) throws Exception {
        if (!providerShutdown.compareAndSet(false, true)) {
            return null;
        }
        return provider.shutdown(input);
    }

    /**
     * Stops the plugin once, on a new thread: stop accepting calls, let calls
     * in flight and queued stdout drain (bounded), call the provider's shutdown
     * if the host did not, then exit 0 (process mode) or just terminate.
     */
    public void stop(String reason) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> runStop(reason), "plugin-stop");
        t.setDaemon(false);
        t.start();
    }

    private void runStop(String reason) {
        long deadline = System.nanoTime() + (STOP_BUDGET_MS - 400) * 1_000_000L;
        if (processMode) {
            // Whatever hangs below (a provider's shutdown, a JVM shutdown hook),
            // the process is gone before the host's 2 s kill.
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(STOP_BUDGET_MS);
                } catch (InterruptedException ignored) {
                    // halt anyway
                }
                Runtime.getRuntime().halt(0);
            }, "plugin-stop-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        SdkLog.LOG.info("plugin stopping", "reason", reason);
        Server s = server;
        if (s != null) {
            s.shutdown();
        }
        if (stdio != null) {
            stdio.finish(300);
        }
        if (s != null) {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0 && !s.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    SdkLog.LOG.warn("calls still running at stop; cancelling them");
                }
            } catch (InterruptedException ignored) {
                // go on
            }
            s.shutdownNow();
        }
        try {
            shutdownProviderOnce(ShutdownInput.newBuilder().setPluginName(Hclog.rootModule()).setReason(reason).build());
        } catch (Throwable e) {
            SdkLog.LOG.error("Provider.shutdown failed", "error", e.toString());
        }
        if (executor != null) {
            executor.shutdown();
        }
        if (group != null) {
            group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
        }
        deleteSocketFile();
        SdkLog.LOG.debug("plugin stopped", "reason", reason);
        terminated.countDown();
        if (processMode) {
            if (stdio != null) {
                stdio.flushPrintStreams();
            }
            System.exit(0);
        }
    }

    // ------------------------------------------------------------------ accessors (embedded handle)

    /** {@code tcp} or {@code unix}. */
    /** Handshake field 6: this plugin's certificate when the host asked for auto-mTLS, else empty. */
    public String serverCertField() {
        return mtls == null ? "" : mtls.handshakeField();
    }

    public String network() {
        return network;
    }

    /** {@code 127.0.0.1:PORT} or the socket path. */
    public String address() {
        return address;
    }

    /** The negotiated app protocol version. */
    public int appProtocolVersion() {
        return appVersion;
    }

    /** Waits for the stop sequence to finish. */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    private static String versions(int[] v) {
        return java.util.Arrays.toString(v);
    }
}
