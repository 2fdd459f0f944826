package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecutionStatus;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;

/**
 * go-plugin AutoMTLS with real children: our host with a Go go-plugin 1.0.1 plugin and with our sample
 * jar (the Go host with our jar is in {@link GoHostRunsJavaPluginTest}), a plaintext-only plugin refused
 * with auto-mTLS and accepted without, and clients without the host's certificate shut out.
 */
class PluginAutoMtlsTest {
    @TempDir
    Path dir;
    private PluginManager manager;
    private PluginChannels channels;

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.stop();
        }
        if (channels != null) {
            channels.close();
        }
    }

    private PluginManager start(PackageRef ref, PluginHostOptions options) {
        manager = new PluginManager(new TestPackages(dir).layout(), options);
        Map<PackageRef, PluginException> failures = manager.start(List.of(new PluginSpec("p", ref, Map.of())));
        assertTrue(failures.isEmpty(), failures.toString());
        return manager;
    }

    private PackageRef goPlugin() {
        return new TestPackages(dir).executable("goplugin", "0.1.0", GoInterop.goPlugin());
    }

    private PackageRef sampleJar() {
        return new TestPackages(dir).jar("sample", "1.0.0", TestPackages.sampleJar());
    }

    /** Evaluate and one Execute work, and the handshake carried the plugin's certificate. */
    private static HandshakeLine assertServesOverMutualTls(PluginManager m) throws Exception {
        EvaluateResult evaluated = m.evaluate("p", EvaluateInput.getDefaultInstance());
        assertEquals(3, evaluated.getSubjectsCount());
        assertEquals(ExecutionStatus.SUCCESS, m.execute("p", ExecuteInput.newBuilder()
                .setSubject(evaluated.getSubjects(0)).build()).getStatus());
        HandshakeLine handshake = m.client("p").handshake().orElseThrow();
        X509Certificate cert = PluginTls.parseHandshakeCert(handshake.serverCert());
        assertEquals("localhost", cert.getSubjectAlternativeNames().iterator().next().get(1));
        assertTrue(cert.getBasicConstraints() >= 0, "go-plugin's certificates are CAs");
        assertFalse(handshake.serverCert().endsWith("="), "field 6 is base64 without padding");
        return handshake;
    }

    @Test
    void ourHostRunsTheGoPluginOverMutualTls() throws Exception {
        PluginManager m = start(goPlugin(), PluginHostOptions.defaults());
        assertEquals(HandshakeLine.Network.UNIX, assertServesOverMutualTls(m).network());
    }

    @Test
    void ourHostRunsTheSampleJarOverMutualTls() throws Exception {
        PluginManager m = start(sampleJar(), PluginHostOptions.defaults());
        assertEquals(HandshakeLine.Network.TCP, assertServesOverMutualTls(m).network());
    }

    @Test
    void aPlaintextOnlyPluginIsRefusedWithAutoMtlsAndAcceptedWithout() {
        // go-plugin before AutoMTLS: PLUGIN_CLIENT_CERT ignored, no field 6, plaintext
        PluginEnvironment legacy = new PluginEnvironment(true, List.of(), Map.of("GOPLUGIN_LEGACY_PLAINTEXT", "1"), Map.of());
        PackageRef ref = goPlugin();
        manager = new PluginManager(new TestPackages(dir).layout(), PluginHostOptions.builder().environment(legacy).build());
        Map<PackageRef, PluginException> failures = manager.start(List.of(new PluginSpec("p", ref, Map.of())));
        String message = failures.get(ref).getMessage();
        assertTrue(message.contains("returned no certificate in handshake field 6"), message);
        assertTrue(message.contains("pluginHost.autoMTLS: false"), message);
        assertTrue(manager.client("p").pid().isEmpty(), "the refused child was killed");
        manager.stop();

        PluginManager m = start(ref, PluginHostOptions.builder().environment(legacy).autoMTLS(false).build());
        assertEquals(3, m.evaluate("p", EvaluateInput.getDefaultInstance()).getSubjectsCount());
        assertEquals("", m.client("p").handshake().orElseThrow().serverCert());
    }

    @Test
    void aClientWithoutTheHostsCertificateCannotCallTheGoPlugin() throws Exception {
        assertOnlyTheHostGetsIn(start(goPlugin(), PluginHostOptions.defaults()));
    }

    @Test
    void aClientWithoutTheHostsCertificateCannotCallTheJavaPlugin() throws Exception {
        assertOnlyTheHostGetsIn(start(sampleJar(), PluginHostOptions.defaults()));
    }

    private void assertOnlyTheHostGetsIn(PluginManager m) throws Exception {
        m.evaluate("p", EvaluateInput.getDefaultInstance());
        HandshakeLine handshake = m.client("p").handshake().orElseThrow();
        X509Certificate pluginCert = PluginTls.parseHandshakeCert(handshake.serverCert());
        channels = new PluginChannels();
        // 1. plaintext; 2. TLS trusting the plugin but presenting no certificate; 3. TLS with a certificate
        // of the same shape that is not the host's
        SslContext noCert = GrpcSslContexts.configure(SslContextBuilder.forClient()
                .trustManager(new io.ccf.ar.automtls.PinnedTrustManager(pluginCert)), SslProvider.JDK).build();
        SslContext otherCert = PluginTls.clientContext(PluginTls.generate(), pluginCert);
        for (SslContext tls : new SslContext[] {null, noCert, otherCert}) {
            ManagedChannel channel = channels.dial(handshake, 1 << 20, tls);
            try {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> HealthGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.newBuilder().setService(PluginProcess.HEALTH_SERVICE).build()),
                        "a client " + (tls == null ? "in plaintext" : tls == noCert ? "without a certificate"
                                : "with another certificate") + " got in");
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            } finally {
                channel.shutdownNow();
            }
        }
        // the host's own channel still works
        assertEquals(3, m.evaluate("p", EvaluateInput.getDefaultInstance()).getSubjectsCount());
    }
}
