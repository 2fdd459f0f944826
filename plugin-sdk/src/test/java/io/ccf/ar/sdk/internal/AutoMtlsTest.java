package io.ccf.ar.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ccf.ar.automtls.PeerCertificates;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

/**
 * The SDK's part of auto-mTLS: field 6 and the host's certificate (the certificate's shape is tested in
 * auto-mtls; GoHostRunsJavaPluginTest in the runtime proves it against go-plugin 1.0.1 itself).
 */
class AutoMtlsTest {
    @Test
    void fieldSixIsAFreshCertificateWithoutPadding() throws Exception {
        String hostPem = AutoMtls.HostSide.create().certificatePem();
        String field = AutoMtls.forHost(hostPem).handshakeField();
        assertFalse(field.contains("=") || field.contains("\n"), field);
        X509Certificate cert = PeerCertificates.fromHandshakeField(field);
        assertEquals("CN=localhost,O=HashiCorp", cert.getSubjectX500Principal().getName());
        assertNotEquals(field, AutoMtls.forHost(hostPem).handshakeField(), "one-shot: a new key every time");
    }

    @Test
    void anUnreadableHostCertificateIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AutoMtls.forHost("nonsense"));
        assertTrue(e.getMessage().contains("PLUGIN_CLIENT_CERT"), e.getMessage());
    }

    @Test
    void theHandshakeLineCarriesFieldSix() {
        assertEquals("1|1|tcp|127.0.0.1:10000|grpc|\n", Handshake.line(1, "tcp", "127.0.0.1:10000"));
        assertEquals("1|1|unix|/tmp/s|grpc|MIIB\n", Handshake.line(1, "unix", "/tmp/s", "MIIB"));
    }
}
