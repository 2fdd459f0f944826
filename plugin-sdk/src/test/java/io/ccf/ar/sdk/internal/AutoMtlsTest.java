package io.ccf.ar.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The certificate the SDK returns in handshake field 6 has go-plugin's shape (mtls.go), which Go's tls
 * verifies (GoHostRunsJavaPluginTest in the runtime proves it against go-plugin 1.0.1 itself).
 */
class AutoMtlsTest {
    private static X509Certificate decode(String field) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(field)));
    }

    @Test
    void fieldSixIsAGoPluginShapedCertificateWithoutPadding() throws Exception {
        String hostPem = AutoMtls.newIdentity().pem();
        String field = AutoMtls.forHost(hostPem).handshakeField();
        assertFalse(field.contains("=") || field.contains("\n"), field);
        assertTrue(field.length() > 50, "go-plugin hosts ignore field 6 when it is 50 characters or shorter");
        X509Certificate cert = decode(field);
        assertEquals("CN=localhost,O=HashiCorp", cert.getSubjectX500Principal().getName());
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        assertEquals(List.of(2, "localhost"), List.copyOf(cert.getSubjectAlternativeNames().iterator().next()));
        assertTrue(cert.getBasicConstraints() >= 0, "IsCA, as go-plugin's");
        boolean[] usage = cert.getKeyUsage();
        assertTrue(usage[0] && usage[2] && usage[4] && usage[5],
                "digitalSignature, keyEncipherment, keyAgreement, keyCertSign");
        assertTrue(cert.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")),
                "serverAuth and clientAuth");
        assertEquals(521, ((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        assertEquals("SHA512withECDSA", cert.getSigAlgName());
        cert.verify(cert.getPublicKey());
        cert.checkValidity();
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
