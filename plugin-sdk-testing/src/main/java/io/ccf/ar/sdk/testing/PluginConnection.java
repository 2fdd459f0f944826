package io.ccf.ar.sdk.testing;

import com.google.protobuf.Empty;
import io.ccf.ar.proto.JobServiceGrpc;
import io.ccf.ar.proto.goplugin.GRPCControllerGrpc;
import io.ccf.ar.proto.goplugin.GRPCStdioGrpc;
import io.ccf.ar.proto.goplugin.StdioData;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC connection to a plugin, dialled at the address of its handshake (TCP on loopback
 * or a Unix socket; auto-mTLS or plaintext): JobService stubs, the health check, the stdio
 * stream and the controller's shutdown.
 */
final class PluginConnection implements AutoCloseable {
    private final ManagedChannel channel;
    private final EventLoopGroup group;

    private PluginConnection(ManagedChannel channel, EventLoopGroup group) {
        this.channel = channel;
        this.group = group;
    }

    /**
     * @param tls the auto-mTLS context, or {@code null} for plaintext
     */
    static PluginConnection dial(HandshakeReply reply, SslContext tls) {
        NettyChannelBuilder builder;
        EventLoopGroup group = null;
        if (reply.network().equals("unix")) {
            if (!Epoll.isAvailable()) {
                throw new IllegalStateException("the plugin listens on a Unix socket, but Netty's epoll transport"
                        + " is not available here: " + Epoll.unavailabilityCause());
            }
            group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
            builder = NettyChannelBuilder.forAddress(new DomainSocketAddress(reply.address()))
                    .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group);
        } else {
            int colon = reply.address().lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalStateException("TCP address \"" + reply.address() + "\" is not host:port");
            }
            builder = NettyChannelBuilder.forAddress(reply.address().substring(0, colon),
                    Integer.parseInt(reply.address().substring(colon + 1)));
        }
        if (tls == null) {
            builder.usePlaintext();
        } else {
            builder.sslContext(tls).overrideAuthority("localhost");
        }
        return new PluginConnection(builder.maxInboundMessageSize(Integer.MAX_VALUE).build(), group);
    }

    JobServiceGrpc.JobServiceBlockingStub jobs(Duration timeout) {
        return JobServiceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * @throws IllegalStateException if the plugin does not report service "plugin" as SERVING
     */
    void checkHealth(Duration timeout) {
        HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .check(HealthCheckRequest.newBuilder().setService("plugin").build()).getStatus();
        if (status != HealthCheckResponse.ServingStatus.SERVING) {
            throw new IllegalStateException("the plugin's health check for service \"plugin\" says " + status
                    + ", expected SERVING");
        }
    }

    /** Opens the go-plugin stdio stream; what the plugin prints there goes to {@code output}, line by line. */
    void streamStdio(PluginOutput output) {
        GRPCStdioGrpc.newStub(channel).streamStdio(Empty.getDefaultInstance(), new StreamObserver<>() {
            private final StringBuilder out = new StringBuilder();
            private final StringBuilder err = new StringBuilder();

            @Override
            public void onNext(StdioData data) {
                boolean isErr = data.getChannel() == StdioData.Channel.STDERR;
                StringBuilder pending = isErr ? err : out;
                pending.append(data.getData().toString(StandardCharsets.UTF_8));
                int nl;
                while ((nl = pending.indexOf("\n")) >= 0) {
                    output.add((isErr ? "stdio stderr: " : "stdio stdout: ") + pending.substring(0, nl));
                    pending.delete(0, nl + 1);
                }
            }

            @Override
            public void onError(Throwable t) {
                onCompleted();
            }

            @Override
            public void onCompleted() {
                if (out.length() > 0) {
                    output.add("stdio stdout: " + out);
                }
                if (err.length() > 0) {
                    output.add("stdio stderr: " + err);
                }
            }
        });
    }

    /** Asks the plugin to exit (go-plugin's GRPCController.Shutdown); the connection usually drops. */
    void controllerShutdown(Duration timeout) {
        GRPCControllerGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .shutdown(io.ccf.ar.proto.goplugin.Empty.getDefaultInstance());
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (group != null) {
            group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
        }
    }
}
