package io.ccf.ar.sdk.internal;

import io.grpc.netty.shaded.io.netty.channel.epoll.EpollChannelOption;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import java.util.List;

/**
 * Classes the SDK's libraries load by name, named here so that a plugin jar shaded with maven-shade-plugin's
 * {@code minimizeJar} keeps them: the shade plugin keeps the classes a plugin's own classes reach through
 * references, and {@link PluginCore} refers to this class. Nothing calls {@link #classes()}; none of these classes
 * is loaded because of it.
 *
 * <p>grpc-netty's {@code Utils} loads netty's epoll channel and event-loop classes by name once netty's epoll
 * library is available (it is: the SDK's Unix-socket transport needs it); a minimized jar without them fails
 * at start with "Cannot load EpollSocketChannel". Protobuf's by-name loads are package-private classes the
 * plugin's build keeps instead (the whole {@code protobuf-java} artifact: see the README's shading section).
 */
final class ShadedJarRoots {
    private ShadedJarRoots() {
    }

    @SuppressWarnings("deprecation") // EpollEventLoopGroup: deprecated in netty 4.2, still what grpc-netty loads
    static List<Class<?>> classes() {
        return List.of(EpollSocketChannel.class, EpollServerSocketChannel.class, EpollDomainSocketChannel.class,
                EpollEventLoopGroup.class, EpollChannelOption.class);
    }
}
