package io.ccf.ar.automtls;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server and a client on loopback, each with its own TLS context: one health check through them,
 * as a plugin and its host do. Also a program, so that a test can run it in a JVM of its own and watch
 * which classes it loads.
 */
final class PinnedTlsPair {
    private PinnedTlsPair() {
    }

    /** The health status the server reports through TLS; throws if the call fails. */
    static ServingStatus check(SslContext server, SslContext client) throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("plugin", ServingStatus.SERVING);
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(health.getHealthService())
                .sslContext(server)
                .build()
                .start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", s.getPort())
                .sslContext(client)
                .overrideAuthority("localhost")
                .build();
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService("plugin").build()).getStatus();
        } finally {
            channel.shutdownNow();
            s.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
            s.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** One auto-mTLS health check between fresh identities; prints its status. */
    public static void main(String[] args) throws Exception {
        AutoMtlsIdentity plugin = AutoMtlsIdentity.generate();
        AutoMtlsIdentity host = AutoMtlsIdentity.generate();
        try {
            System.out.println("status " + check(PinnedSslContext.forServer(plugin, host.certificate()),
                    PinnedSslContext.forClient(host, plugin.certificate())));
        } catch (StatusRuntimeException e) {
            System.out.println("failed " + e.getStatus());
        }
    }
}
