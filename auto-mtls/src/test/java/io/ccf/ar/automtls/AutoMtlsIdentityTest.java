package io.ccf.ar.automtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;

/**
 * The certificate has go-plugin's shape (mtls.go) as the JDK's own parser reads it, and two identities
 * complete a real mutual TLS handshake over loopback pinning each other (the runtime's interop tests run
 * it against Go's crypto/tls: PluginAutoMtlsTest, GoHostRunsJavaPluginTest).
 */
class AutoMtlsIdentityTest {
    @Test
    void theCertificateHasGoPluginsShapeAsTheJdkParsesIt() throws Exception {
        AutoMtlsIdentity identity = AutoMtlsIdentity.generate();
        String field = identity.handshakeField();
        assertFalse(field.contains("=") || field.contains("\n"), "field 6 is base64 without padding: " + field);
        assertTrue(field.length() > 50, "go-plugin hosts ignore field 6 when it is 50 characters or shorter");
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(field)));
        assertEquals(identity.certificate(), cert);
        assertEquals(3, cert.getVersion());
        assertEquals("CN=localhost,O=HashiCorp", cert.getSubjectX500Principal().getName());
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        assertEquals(List.of(List.of(2, "localhost")), cert.getSubjectAlternativeNames().stream().map(List::copyOf).toList());
        assertEquals(Integer.MAX_VALUE, cert.getBasicConstraints(), "a CA without a path length limit, as go-plugin's");
        assertArrayEquals(new boolean[] {true, false, true, false, true, true, false, false, false}, cert.getKeyUsage(),
                "digitalSignature, keyEncipherment, keyAgreement, keyCertSign");
        assertEquals(List.of("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"), cert.getExtendedKeyUsage(), "clientAuth, serverAuth");
        assertEquals(java.util.Set.of("2.5.29.15", "2.5.29.19"), cert.getCriticalExtensionOIDs());
        assertEquals(256, ((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        assertEquals("SHA256withECDSA", cert.getSigAlgName());
        assertTrue(cert.getSerialNumber().signum() > 0);
        cert.verify(cert.getPublicKey());
        cert.checkValidity();
        Instant notBefore = cert.getNotBefore().toInstant();
        assertTrue(notBefore.isBefore(Instant.now().minusSeconds(20)) && notBefore.isAfter(Instant.now().minusSeconds(60)),
                "backdated 30 s: " + notBefore);
        assertEquals(SelfSignedCertificate.VALIDITY.plus(SelfSignedCertificate.BACKDATE),
                Duration.between(notBefore, cert.getNotAfter().toInstant()),
                "30 years, past 2049: GeneralizedTime");
        assertNotEquals(field, AutoMtlsIdentity.generate().handshakeField(), "one-shot: a new key every time");
    }

    @Test
    void pemAndHandshakeFieldReadBackToTheSameCertificate() throws Exception {
        AutoMtlsIdentity identity = AutoMtlsIdentity.generate();
        assertTrue(identity.pem().startsWith("-----BEGIN CERTIFICATE-----\n"), identity.pem());
        assertEquals(identity.certificate(), PeerCertificates.fromPem(identity.pem()));
        assertEquals(identity.certificate(), PeerCertificates.fromHandshakeField(identity.handshakeField() + "\n"));
        assertThrows(CertificateException.class, () -> PeerCertificates.fromHandshakeField("not*base64"));
        assertThrows(CertificateException.class, () -> PeerCertificates.fromPem("nonsense"));
        assertThrows(CertificateException.class, () -> PeerCertificates.fromPem(identity.pem() + identity.pem()));
        assertFalse(identity.toString().contains(identity.key().toString()), "toString never shows the key");
    }

    @Test
    void twoIdentitiesCompleteAMutualTlsHandshakePinningEachOther() throws Exception {
        AutoMtlsIdentity host = AutoMtlsIdentity.generate();
        AutoMtlsIdentity plugin = AutoMtlsIdentity.generate();
        assertEquals("pong", exchange(plugin, host.certificate(), host, plugin.certificate(), "TLSv1.3"));
        assertEquals("pong", exchange(plugin, host.certificate(), host, plugin.certificate(), "TLSv1.2"));
    }

    @Test
    void aClientPresentingAnotherCertificateIsRefused() throws Exception {
        AutoMtlsIdentity host = AutoMtlsIdentity.generate();
        AutoMtlsIdentity plugin = AutoMtlsIdentity.generate();
        AutoMtlsIdentity stranger = AutoMtlsIdentity.generate();
        assertThrows(IOException.class, () -> exchange(plugin, host.certificate(), stranger, plugin.certificate(), "TLSv1.3"));
        assertThrows(SSLHandshakeException.class,
                () -> exchange(plugin, host.certificate(), host, stranger.certificate(), "TLSv1.3"));
    }

    /** A TLS server as {@code server} requiring a client certificate, a client as {@code client}; "ping", "pong". */
    private static String exchange(AutoMtlsIdentity server, X509Certificate serverTrusts, AutoMtlsIdentity client,
                                   X509Certificate clientTrusts, String protocol) throws Exception {
        SSLContext serverContext = context(server, serverTrusts);
        SSLContext clientContext = context(client, clientTrusts);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 1, loopback)) {
            listener.setNeedClientAuth(true);
            listener.setEnabledProtocols(new String[] {protocol});
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) listener.accept()) {
                    InputStream in = accepted.getInputStream();
                    byte[] ping = in.readNBytes(4);
                    if (new String(ping, US_ASCII).equals("ping")) {
                        accepted.getOutputStream().write("pong".getBytes(US_ASCII));
                        accepted.getOutputStream().flush();
                    }
                } catch (IOException e) {
                    // the client sees the failure
                }
            });
            try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket(loopback, listener.getLocalPort())) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the name go-plugin dials: localhost
                parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName("localhost")));
                parameters.setProtocols(new String[] {protocol});
                socket.setSSLParameters(parameters);
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write("ping".getBytes(US_ASCII));
                out.flush();
                byte[] answer = socket.getInputStream().readNBytes(4);
                assertEquals(protocol, socket.getSession().getProtocol());
                served.get(10, TimeUnit.SECONDS);
                if (answer.length < 4) {
                    throw new IOException("the server closed the connection: it refused the client");
                }
                return new String(answer, US_ASCII);
            }
        }
    }

    private static SSLContext context(AutoMtlsIdentity own, X509Certificate trusted) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {own.keyManager()}, new TrustManager[] {new PinnedTrustManager(trusted)}, null);
        return context;
    }
}
