package io.ccf.ar.sdk;

import io.ccf.ar.sdk.internal.Handshake;
import io.ccf.ar.sdk.internal.PluginCore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A plugin server started inside the current JVM by
 * {@link PluginServer.Builder#start()}, for tests: connect a gRPC client to
 * {@link #address()} (or parse {@link #handshakeLine()} like a host does) and
 * {@link #close()} it at the end.
 */
public final class RunningPlugin implements AutoCloseable {
    private final PluginCore core;

    RunningPlugin(PluginCore core) {
        this.core = core;
    }

    /**
     * The network the server listens on.
     *
     * @return {@code "tcp"} or {@code "unix"}
     */
    public String network() {
        return core.network();
    }

    /**
     * Where the server listens.
     *
     * @return {@code 127.0.0.1:PORT} for TCP, the socket file's path for Unix
     */
    public String address() {
        return core.address();
    }

    /**
     * The negotiated app protocol version.
     *
     * @return the version a host would see in the handshake
     */
    public int appProtocolVersion() {
        return core.appProtocolVersion();
    }

    /**
     * The handshake line {@link PluginServer#serve} would print.
     *
     * @return e.g. {@code "1|1|tcp|127.0.0.1:10000|grpc|\n"}
     */
    public String handshakeLine() {
        return Handshake.line(core.appProtocolVersion(), core.network(), core.address());
    }

    /**
     * Waits until the server stopped (after {@link #close()} or the host's
     * {@code GRPCController.Shutdown}).
     *
     * @param timeout how long to wait at most
     * @return {@code true} if stopped, {@code false} on timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return core.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops the server like a controller shutdown (calls in flight get a short
     * grace period, {@link Provider#shutdown} is called if it was not yet) and
     * waits up to two seconds for it.
     */
    @Override
    public void close() {
        core.stop("closed");
        try {
            core.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
