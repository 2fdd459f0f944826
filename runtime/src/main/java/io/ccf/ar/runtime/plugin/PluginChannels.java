package io.ccf.ar.runtime.plugin;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

/**
 * Dials plugins. One event loop group for all plugin connections (TCP and Unix sockets); Go plugins
 * on Linux only offer Unix sockets, which need Netty's epoll transport.
 */
final class PluginChannels implements AutoCloseable {
    private final EventLoopGroup group;
    private final boolean epoll;

    PluginChannels() {
        this.epoll = Epoll.isAvailable();
        this.group = epoll ? new EpollEventLoopGroup(2, daemonThreads()) : new NioEventLoopGroup(2, daemonThreads());
    }

    ManagedChannel dial(HandshakeLine handshake) {
        NettyChannelBuilder builder;
        if (handshake.network() == HandshakeLine.Network.UNIX) {
            if (!epoll) {
                throw new PluginStartException("plugin offers a Unix socket, but Netty's epoll transport is not available here: "
                        + Epoll.unavailabilityCause());
            }
            builder = NettyChannelBuilder.forAddress(new DomainSocketAddress(handshake.address()))
                    .channelType(EpollDomainSocketChannel.class);
        } else {
            builder = NettyChannelBuilder.forAddress(tcpAddress(handshake.address()))
                    .channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class);
        }
        return builder.eventLoopGroup(group)
                .usePlaintext()
                // go-plugin hosts accept messages up to 2^31-1 bytes; match them.
                .maxInboundMessageSize(Integer.MAX_VALUE)
                // responses are handed straight to the waiting caller; no handler of ours blocks
                .directExecutor()
                .build();
    }

    private static InetSocketAddress tcpAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new PluginStartException("invalid TCP address \"" + address + "\" in handshake (expected host:port)");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new InetSocketAddress(host, Integer.parseInt(address.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new PluginStartException("invalid TCP address \"" + address + "\" in handshake: " + e.getMessage());
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        return r -> {
            Thread t = new Thread(r, "plugin-grpc");
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
