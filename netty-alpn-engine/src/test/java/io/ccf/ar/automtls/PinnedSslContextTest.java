package io.ccf.ar.automtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.AlpnReportingSslEngine;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PinnedSslContextTest {
    private static AutoMtlsIdentity plugin;
    private static AutoMtlsIdentity host;
    private static AutoMtlsIdentity stranger;

    @BeforeAll
    static void identities() throws Exception {
        plugin = AutoMtlsIdentity.generate();
        host = AutoMtlsIdentity.generate();
        stranger = AutoMtlsIdentity.generate();
    }

    @Test
    void aHostAndAPluginThatPinEachOtherTalkGrpcOverTls() throws Exception {
        assertEquals(ServingStatus.SERVING, PinnedTlsPair.check(PinnedSslContext.forServer(plugin, host.certificate()),
                PinnedSslContext.forClient(host, plugin.certificate())));
    }

    @Test
    void thePluginRefusesAClientWithAnotherCertificate() throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> PinnedTlsPair.check(
                PinnedSslContext.forServer(plugin, host.certificate()),
                PinnedSslContext.forClient(stranger, plugin.certificate())));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }

    @Test
    void theHostRefusesAServerWithAnotherCertificate() throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> PinnedTlsPair.check(
                PinnedSslContext.forServer(stranger, host.certificate()),
                PinnedSslContext.forClient(host, plugin.certificate())));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }

    @Test
    void enginesOfferH2OverTls13And12AndTheServerRequiresAClientCertificate() throws Exception {
        assertTrue(PinnedSslContext.skipsNettyDefaults(), "the wrapper of this module was not found");
        SslContext server = PinnedSslContext.forServer(plugin, host.certificate());
        SslContext client = PinnedSslContext.forClient(host, plugin.certificate());
        assertInstanceOf(PinnedSslContext.class, server);
        SSLEngine s = server.newEngine(ByteBufAllocator.DEFAULT);
        SSLEngine c = client.newEngine(ByteBufAllocator.DEFAULT, "localhost", 1234);
        assertFalse(server.isClient());
        assertTrue(client.isClient());
        assertTrue(s.getNeedClientAuth());
        assertTrue(c.getUseClientMode());
        for (SSLEngine e : List.of(s, c)) {
            assertEquals(List.of("h2"), Arrays.asList(e.getSSLParameters().getApplicationProtocols()));
            assertEquals(List.of("TLSv1.3", "TLSv1.2"), Arrays.asList(e.getEnabledProtocols()));
            assertEquals(server.cipherSuites(), Arrays.asList(e.getEnabledCipherSuites()));
            // Before a handshake there is no protocol to report to gRPC.
            assertNull(new SslHandler(e).applicationProtocol());
        }
        assertTrue(server.cipherSuites().contains("TLS_AES_128_GCM_SHA256"), server.cipherSuites().toString());
        assertEquals(List.of("h2"), server.applicationProtocolNegotiator().protocols());
    }

    /** The point of the class: a whole handshake without the JDK's trust store. */
    @Test
    void aWholeHandshakeNeverReadsTheJdksTrustStore() throws Exception {
        String log = runPairInItsOwnJvm(System.getProperty("java.class.path"));
        // The class-load log proves the handshake loaded the TLS classes this test is about.
        assertTrue(log.contains("sun.security.ssl.SSLEngineImpl "), "no JSSE engine loaded");
        // Netty's JdkSslContext may be loaded, to verify SslContext's factories; initialising it (as every
        // context SslContextBuilder makes does) reads the trust store through TrustStoreManager.
        assertFalse(log.contains("sun.security.ssl.TrustStoreManager "), "the JDK's trust store was read");
    }

    /** A class path without this module (a module path, a jar that left it out): Netty's own context, same result. */
    @Test
    void withoutTheWrapperTheContextsFallBackToNettysAndStillPinBothSides() throws Exception {
        String own = Path.of(AlpnReportingSslEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        List<String> rest = new ArrayList<>(Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator)));
        assertTrue(rest.remove(own), own + " not on " + rest);
        String log = runPairInItsOwnJvm(String.join(File.pathSeparator, rest));
        assertTrue(log.contains("sun.security.ssl.TrustStoreManager "), "not Netty's JdkSslContext");
    }

    /** Runs {@link PinnedTlsPair#main} with a class-load log; fails unless its health check passed. */
    private static String runPairInItsOwnJvm(String classPath) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xlog:class+load=info", "-cp", classPath,
                PinnedTlsPair.class.getName())
                .redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String log = out.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("status SERVING"), log.lines().filter(l -> !l.contains("class,load")).toList().toString());
        return log;
    }
}
