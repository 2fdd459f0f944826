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
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;

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

    /**
     * A channel to the address of a handshake. {@code maxInboundMessageSize} bounds what one response (or
     * stdio message) may make the host buffer; go-plugin hosts allow 2^31-1 bytes, which lets one
     * plugin take the daemon's heap. {@code tls}: null for plaintext, else the auto-mTLS context (the
     * server name is go-plugin's {@code localhost} whatever the address).
     */
    ManagedChannel dial(HandshakeLine handshake, int maxInboundMessageSize, SslContext tls) {
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
        if (tls == null) {
            builder.usePlaintext();
        } else {
            builder.sslContext(tls).overrideAuthority("localhost");
        }
        return builder.eventLoopGroup(group)
                .maxInboundMessageSize(maxInboundMessageSize)
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
        // An IP literal or localhost only: a plugin's word must not make the host resolve names or dial
        // other machines (plugins are children listening on loopback).
        if (!host.equals("localhost") && !host.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new PluginStartException("invalid TCP address \"" + address
                    + "\" in handshake: the host must be a loopback IP address or localhost");
        }
        InetSocketAddress resolved;
        try {
            resolved = new InetSocketAddress(host, Integer.parseInt(address.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new PluginStartException("invalid TCP address \"" + address + "\" in handshake: " + e.getMessage());
        }
        if (resolved.isUnresolved() || !resolved.getAddress().isLoopbackAddress()) {
            throw new PluginStartException("TCP address \"" + address
                    + "\" in handshake is not a loopback address; plugins must listen on loopback");
        }
        return resolved;
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
