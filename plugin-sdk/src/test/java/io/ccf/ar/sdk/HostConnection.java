package io.ccf.ar.sdk;

import io.ccf.ar.proto.JobServiceGrpc;
import io.ccf.ar.proto.goplugin.GRPCControllerGrpc;
import io.ccf.ar.proto.goplugin.GRPCStdioGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.util.concurrent.TimeUnit;

/** A plain grpc-java client playing the host, dialling what a handshake line announced. */
final class HostConnection implements AutoCloseable {
    /** grpc-java sets SO_KEEPALIVE on every client channel; Netty warns a Unix socket has none. Kept: JUL holds loggers weakly. */
    private static final java.util.logging.Logger BOOTSTRAP_LOG =
            java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap");

    static {
        BOOTSTRAP_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    final ManagedChannel channel;
    private final EventLoopGroup group;

    HostConnection(String network, String address) {
        NettyChannelBuilder b;
        if (network.equals("unix")) {
            group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
            b = NettyChannelBuilder.forAddress(new DomainSocketAddress(address))
                    .channelType(EpollDomainSocketChannel.class)
                    .eventLoopGroup(group);
        } else {
            group = null;
            int colon = address.lastIndexOf(':');
            b = NettyChannelBuilder.forAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1)));
        }
        channel = b.usePlaintext().maxInboundMessageSize(Integer.MAX_VALUE).build();
    }

    JobServiceGrpc.JobServiceBlockingStub jobs() {
        return JobServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    HealthGrpc.HealthBlockingStub health() {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    GRPCControllerGrpc.GRPCControllerBlockingStub controller() {
        return GRPCControllerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    GRPCStdioGrpc.GRPCStdioStub stdio() {
        return GRPCStdioGrpc.newStub(channel);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (group != null) {
            group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
        }
    }
}
