package io.ccf.ar.sdk;

import io.ccf.ar.sdk.internal.Options;
import io.ccf.ar.sdk.internal.PluginCore;
import java.io.IOException;

/**
 * Serves a {@link Provider} to the assessment runtime over HashiCorp
 * go-plugin's gRPC protocol: the Java twin of the Go SDK's
 * {@code Register(provider)}. Call it from {@code main} and nothing else:
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     PluginServer.serve(new MyPlugin());
 * }
 * }</pre>
 *
 * or, with options:
 *
 * <pre>{@code
 * PluginServer.builder(new MyPlugin()).name("my-plugin").serve();
 * }</pre>
 *
 * <p><b>What serving does</b>, in order (any go-plugin host, Go or Java, can
 * drive the result):
 * <ol>
 *   <li>Checks the magic cookie {@code AR_PLUGIN} in the environment. Without
 *       it the program was run by hand: it explains on stderr that it is a
 *       plugin meant to be launched by the assessment runtime and exits 1.</li>
 *   <li>Negotiates the app protocol version: the highest of
 *       {@link Builder#appProtocolVersions(int...)} that the host lists in
 *       {@code PLUGIN_PROTOCOL_VERSIONS}; none in common: error on stderr,
 *       exit 1.</li>
 *   <li>Listens on 127.0.0.1 at the first free TCP port in
 *       [{@code PLUGIN_MIN_PORT}, {@code PLUGIN_MAX_PORT}] (default
 *       10000..25000), or, when {@code AR_PLUGIN_TRANSPORT=unix}, on a Unix
 *       socket in {@code PLUGIN_UNIX_SOCKET_DIR} (default
 *       {@code java.io.tmpdir}), removed when the plugin exits.</li>
 *   <li>Prints the handshake line {@code 1|<app>|tcp|127.0.0.1:<port>|grpc|}
 *       (or {@code unix|<path>}) as the first and only output on the real
 *       standard output. From then on {@code System.out} goes to the host's
 *       stdio stream as STDOUT data (to stderr while no host reads the stream)
 *       and {@code System.err} to stderr; never write to stdout before calling
 *       {@code serve}.</li>
 *   <li>Serves gRPC health (service {@code "plugin"}: SERVING),
 *       {@code plugin.GRPCController}, {@code plugin.GRPCStdio} and
 *       {@code plugin.JobService} (your provider); messages up to 2 GiB.</li>
 *   <li>Ignores SIGINT (a terminal's Ctrl-C reaches the whole process group;
 *       the runtime decides when its plugins stop).</li>
 *   <li>Exits 0 after the host's {@code GRPCController.Shutdown} (after
 *       calling {@link Provider#shutdown} if the host did not), or when its
 *       parent process is gone (checked twice a second), so a plugin never
 *       outlives the runtime.</li>
 * </ol>
 * SIGTERM ends the JVM the usual way (shutdown hooks run).
 *
 * <p>The SDK logs its own start and stop through {@link PluginLog}.
 */
public final class PluginServer {
    private PluginServer() {
    }

    /**
     * Serves {@code provider} with the default options: blocks and never
     * returns normally; the JVM exits with code 0 when the runtime stops the
     * plugin, 1 when it cannot start (no cookie, no common protocol version, no
     * port).
     *
     * @param provider the plugin's implementation
     */
    public static void serve(Provider provider) {
        builder(provider).serve();
    }

    /**
     * Starts configuring a server for {@code provider}.
     *
     * @param provider the plugin's implementation
     * @return a builder; finish with {@link Builder#serve()} (production) or
     *     {@link Builder#start()} (tests)
     */
    public static Builder builder(Provider provider) {
        if (provider == null) {
            throw new NullPointerException("provider");
        }
        return new Builder(provider);
    }

    /** Options for serving a provider. Not thread-safe; use from {@code main}. */
    public static final class Builder {
        private final Provider provider;
        private final Options options = new Options();

        private Builder(Provider provider) {
            this.provider = provider;
        }

        /**
         * Runs the provider's methods directly on the network event loop
         * instead of on the SDK's thread pool: saves the hand-off of each call
         * to a pool thread and back (docs/benchmarks.md has the figures), for a
         * plugin whose methods are pure computation.
         *
         * <p><b>Only for providers that never block</b>: no network or file
         * I/O, no {@code Thread.sleep}, no waiting on locks or futures. A
         * blocking method would stall every other call (and the health checks)
         * on the connection. When in doubt, leave the default: a dedicated pool
         * where blocking is fine.
         *
         * @return this builder
         */
        public Builder handlersDoNotBlock() {
            options.handlersDoNotBlock = true;
            return this;
        }

        /**
         * The app protocol versions this plugin implements (default {@code 1}).
         * The highest one the runtime also accepts is used.
         *
         * @param versions one or more positive versions
         * @return this builder
         * @throws IllegalArgumentException if empty or not positive
         */
        public Builder appProtocolVersions(int... versions) {
            if (versions == null || versions.length == 0) {
                throw new IllegalArgumentException("at least one app protocol version is needed");
            }
            for (int v : versions) {
                if (v <= 0) {
                    throw new IllegalArgumentException("app protocol versions are positive: " + v);
                }
            }
            options.appProtocolVersions = versions.clone();
            return this;
        }

        /**
         * The plugin's name, used as {@code @module} in its log lines (see
         * {@link PluginLog}). Default: the jar's base name, or the main class's
         * simple name.
         *
         * @param name a short name, e.g. {@code "busy"}
         * @return this builder
         */
        public Builder name(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            options.name = name.strip();
            return this;
        }

        /**
         * Serves as described on {@link PluginServer}: blocks and never returns
         * normally (the JVM exits 0 when stopped, 1 on a start-up error).
         */
        public void serve() {
            PluginCore.serve(provider, options);
        }

        /**
         * Starts the server inside this JVM, for tests of a provider through
         * real gRPC: no cookie check, {@code System.out}/{@code System.err}
         * left alone, nothing printed, no signal handling and no parent watch;
         * stopping (also through {@code GRPCController.Shutdown}) stops the
         * server but never exits the JVM. Listens like {@link #serve()} (TCP
         * port range, or a Unix socket with {@code AR_PLUGIN_TRANSPORT=unix})
         * and negotiates against {@code PLUGIN_PROTOCOL_VERSIONS} if set.
         *
         * @return a handle with the address and the handshake line; close it
         *     when done
         * @throws IOException if no address can be bound or no version is in common
         */
        public RunningPlugin start() throws IOException {
            return new RunningPlugin(PluginCore.startEmbedded(provider, options));
        }
    }
}
