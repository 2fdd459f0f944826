package io.ccf.ar.runtime.plugin;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import io.ccf.ar.runtime.files.CachingFileHasher;
import io.ccf.ar.runtime.files.FileHasher;

/**
 * How the host launches and talks to plugin processes. Immutable; build with {@link #builder()}.
 * Defaults follow go-plugin where it has one (start timeout 1 min, ports 10000-25000, 2 s stop grace).
 */
public final class PluginHostOptions {
    /** The magic cookie a plugin checks before anything else (wire-contract.md). */
    public static final String COOKIE_KEY = "AR_PLUGIN";
    public static final String COOKIE_VALUE = "048cc450-6be2-4fa2-b760-8d4d0b63b534";

    /**
     * JVM flags for Java plugins unless configured (docs/benchmarks.md, "Plugin RSS", has the measurements):
     * <ul>
     * <li>the serial collector and a small heap that starts small ({@code -Xms16m}; the default initial heap,
     *     1/64 of RAM, gets touched under load and stays in RSS) and gives memory back after a full GC;</li>
     * <li>{@code -Xmn4m}: a young generation of 4 MB: it is all touched between two collections, so it is RSS;
     *     a plugin's garbage is short-lived and a young collection of it takes well under a millisecond;</li>
     * <li>one Netty arena (grpc-netty-shaded's pooled allocator) for direct and one for heap buffers instead of
     *     two per core: each arena that a thread touches keeps a 2 MiB chunk resident, and a plugin's messages
     *     are small.</li>
     * </ul>
     * C2 stays on: steady-state Execute latency matters more than the tens of ms it costs at start or its code
     * cache. With these, {@link JavaPluginCommand} adds {@code -XX:TrimNativeHeapInterval} on JVMs that have it.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "-XX:+UseSerialGC", "-Xms16m", "-Xmn4m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
            "-Dio.grpc.netty.shaded.io.netty.allocator.numDirectArenas=1",
            "-Dio.grpc.netty.shaded.io.netty.allocator.numHeapArenas=1");

    /** 64 MiB: far above any real result, far below what would hurt the daemon (go-plugin hosts allow 2 GiB). */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 << 20;
    /** Below this even a small Evaluate result or stdio chunk would not fit. */
    public static final int MIN_MAX_MESSAGE_SIZE = 1024;

    private final String runtimeId;
    private final Duration startTimeout;
    private final Duration callTimeout;
    private final Duration stopTimeout;
    private final Duration restartBackoff;
    private final Duration maxRestartBackoff;
    private final Set<Integer> appProtocolVersions;
    private final int minPort;
    private final int maxPort;
    private final Path javaCommand;
    private final List<String> jvmOptions;
    private final boolean defaultJvmOptions;
    private final Path unixSocketDir;
    private final boolean parentDeathSignal;
    private final PackageVerifier packageVerifier;
    private final int maxMessageSize;
    private final boolean autoMTLS;
    private final PluginEnvironment environment;
    private final FileHasher fileHasher;

    private PluginHostOptions(Builder b) {
        this.runtimeId = b.runtimeId;
        this.startTimeout = b.startTimeout;
        this.callTimeout = b.callTimeout;
        this.stopTimeout = b.stopTimeout;
        this.restartBackoff = b.restartBackoff;
        this.maxRestartBackoff = b.maxRestartBackoff;
        this.appProtocolVersions = Set.copyOf(b.appProtocolVersions);
        this.minPort = b.minPort;
        this.maxPort = b.maxPort;
        this.javaCommand = b.javaCommand;
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.defaultJvmOptions = b.defaultJvmOptions;
        this.unixSocketDir = b.unixSocketDir;
        this.parentDeathSignal = b.parentDeathSignal;
        this.packageVerifier = b.packageVerifier;
        this.maxMessageSize = b.maxMessageSize;
        this.autoMTLS = b.autoMTLS;
        this.environment = b.environment;
        this.fileHasher = b.fileHasher;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static PluginHostOptions defaults() {
        return builder().build();
    }

    public String runtimeId() { return runtimeId; }
    public Duration startTimeout() { return startTimeout; }
    public Duration callTimeout() { return callTimeout; }
    public Duration stopTimeout() { return stopTimeout; }
    public Duration restartBackoff() { return restartBackoff; }
    public Duration maxRestartBackoff() { return maxRestartBackoff; }
    public Set<Integer> appProtocolVersions() { return appProtocolVersions; }
    public int minPort() { return minPort; }
    public int maxPort() { return maxPort; }
    public Path javaCommand() { return javaCommand; }
    public List<String> jvmOptions() { return jvmOptions; }
    /** True unless {@link Builder#jvmOptions} was called: then the JVM-specific defaults are added too. */
    public boolean defaultJvmOptions() { return defaultJvmOptions; }
    /** Where plugins should put Unix sockets, or null to let each plugin choose (its temp dir). */
    public Path unixSocketDir() { return unixSocketDir; }
    public boolean parentDeathSignal() { return parentDeathSignal; }
    /** Runs before every launch of a plugin process. */
    public PackageVerifier packageVerifier() { return packageVerifier; }

    /** The largest message the host accepts from a plugin, in bytes (pluginHost.maxMessageSize). */
    public int maxMessageSize() { return maxMessageSize; }

    /** go-plugin AutoMTLS with every plugin (pluginHost.autoMTLS, default true). */
    public boolean autoMTLS() { return autoMTLS; }

    /** Which of the runtime's environment variables plugins get (pluginHost.environment, default all). */
    public PluginEnvironment environment() { return environment; }

    /**
     * Hashes plugin files (the AOT cache's key; give the package verifier the same one): by default one
     * that remembers a file's hash until the file changes.
     */
    public FileHasher fileHasher() { return fileHasher; }

    /** Comma-separated versions, as PLUGIN_PROTOCOL_VERSIONS wants them. */
    String protocolVersionsEnv() {
        return String.join(",", new TreeSet<>(appProtocolVersions).stream().map(String::valueOf).toList());
    }

    /** Builder in the style of jnats' Options.Builder: every setter validates and returns this. */
    public static final class Builder {
        private String runtimeId = "local";
        private Duration startTimeout = Duration.ofMinutes(1);
        private Duration callTimeout = Duration.ofMinutes(1);
        private Duration stopTimeout = Duration.ofSeconds(2);
        private Duration restartBackoff = Duration.ofSeconds(1);
        private Duration maxRestartBackoff = Duration.ofSeconds(30);
        private Set<Integer> appProtocolVersions = Set.of(1);
        private int minPort = 10000;
        private int maxPort = 25000;
        private Path javaCommand = ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        private List<String> jvmOptions = DEFAULT_JVM_OPTIONS;
        private boolean defaultJvmOptions = true;
        private Path unixSocketDir;
        private boolean parentDeathSignal = true;
        private PackageVerifier packageVerifier = PackageVerifier.NONE;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private boolean autoMTLS = true;
        private PluginEnvironment environment = PluginEnvironment.INHERIT_ALL;
        private FileHasher fileHasher = new CachingFileHasher();

        private Builder() {
        }

        public Builder runtimeId(String runtimeId) {
            this.runtimeId = Objects.requireNonNull(runtimeId, "runtimeId");
            return this;
        }

        /** Spawn to completed handshake and health check. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = positive(timeout, "startTimeout");
            return this;
        }

        /** Deadline of every Evaluate/Execute call. */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive(timeout, "callTimeout");
            return this;
        }

        /** Grace between Controller.Shutdown and a kill. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = positive(timeout, "stopTimeout");
            return this;
        }

        /** First delay before restarting a plugin that failed again; doubles up to {@code max}. */
        public Builder restartBackoff(Duration initial, Duration max) {
            this.restartBackoff = positive(initial, "restartBackoff");
            this.maxRestartBackoff = positive(max, "maxRestartBackoff");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("maxRestartBackoff " + max + " is below restartBackoff " + initial);
            }
            return this;
        }

        public Builder appProtocolVersions(Set<Integer> versions) {
            if (versions.isEmpty()) {
                throw new IllegalArgumentException("appProtocolVersions must not be empty");
            }
            this.appProtocolVersions = Set.copyOf(versions);
            return this;
        }

        public Builder portRange(int min, int max) {
            if (min < 1 || max > 65535 || min > max) {
                throw new IllegalArgumentException("invalid plugin port range " + min + "-" + max);
            }
            this.minPort = min;
            this.maxPort = max;
            return this;
        }

        /**
         * The java launcher for Java plugins (pluginHost.java); defaults to the one running this runtime. One
         * of JDK 25 or later runs a plugin with the AOT cache trained for its jar, when there is one.
         */
        public Builder javaCommand(Path java) {
            this.javaCommand = Objects.requireNonNull(java, "javaCommand");
            return this;
        }

        /** The Java plugins' JVM flags, instead of {@link #DEFAULT_JVM_OPTIONS} and the JVM-specific defaults. */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = new ArrayList<>(options);
            this.defaultJvmOptions = false;
            return this;
        }

        public Builder unixSocketDir(Path dir) {
            this.unixSocketDir = dir;
            return this;
        }

        /** Ask the kernel to kill children when the runtime dies (Linux, via setpriv). */
        public Builder parentDeathSignal(boolean enabled) {
            this.parentDeathSignal = enabled;
            return this;
        }

        /** Checked before every launch; a package it refuses does not start (e.g. a hash that does not match plugins.lock). */
        public Builder packageVerifier(PackageVerifier verifier) {
            this.packageVerifier = Objects.requireNonNull(verifier, "packageVerifier");
            return this;
        }

        /**
         * The largest gRPC message (a response, a stdio chunk) the host accepts from a plugin; a bigger
         * response fails its call with RESOURCE_EXHAUSTED and the plugin stays up.
         */
        public Builder maxMessageSize(long bytes) {
            if (bytes < MIN_MAX_MESSAGE_SIZE || bytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maxMessageSize must be " + MIN_MAX_MESSAGE_SIZE + " to "
                        + Integer.MAX_VALUE + " bytes, got " + bytes);
            }
            this.maxMessageSize = (int) bytes;
            return this;
        }

        /**
         * go-plugin AutoMTLS (default on): the host makes a one-shot certificate per launch, passes it in
         * PLUGIN_CLIENT_CERT, and talks TLS to the plugin, accepting only the certificate the plugin
         * returned in its handshake. A plugin that returns none is refused. Off: plaintext over loopback
         * (or the Unix socket), for plugins that predate AutoMTLS.
         */
        public Builder autoMTLS(boolean enabled) {
            this.autoMTLS = enabled;
            return this;
        }

        /** Which of the runtime's environment variables plugins inherit; default all, as go-plugin does. */
        public Builder environment(PluginEnvironment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** How plugin files are hashed; share it with the package verifier so that a jar is read once. */
        public Builder fileHasher(FileHasher hasher) {
            this.fileHasher = Objects.requireNonNull(hasher, "fileHasher");
            return this;
        }

        public PluginHostOptions build() {
            return new PluginHostOptions(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }
    }
}
