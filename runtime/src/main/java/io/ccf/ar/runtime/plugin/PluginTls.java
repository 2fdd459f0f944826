package io.ccf.ar.runtime.plugin;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import io.ccf.ar.automtls.AutoMtlsIdentity;
import io.ccf.ar.automtls.PeerCertificates;
import io.ccf.ar.automtls.PinnedSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;

/**
 * go-plugin's AutoMTLS, host side: a one-shot certificate per plugin launch ({@link AutoMtlsIdentity},
 * shared with the plugin SDK: go-plugin's shape, JDK APIs only), the plugin's certificate from handshake
 * field 6, and a TLS context that presents the host's certificate and accepts exactly the plugin's.
 */
final class PluginTls {
    /** What go-plugin's hosts treat as a certificate in field 6 (shorter values are legacy "extra" data). */
    static final int MIN_CERT_FIELD_LENGTH = 50;

    private PluginTls() {
    }

    /** A fresh key pair and certificate for one launch. */
    static AutoMtlsIdentity generate() {
        try {
            return AutoMtlsIdentity.generate();
        } catch (GeneralSecurityException e) {
            throw new PluginStartException("cannot make the host's auto-mTLS certificate: " + e, e);
        }
    }

    /** Handshake field 6: the plugin's DER certificate, base64 with the standard alphabet (padding optional). */
    static X509Certificate parseHandshakeCert(String field) throws HandshakeException {
        try {
            return PeerCertificates.fromHandshakeField(field);
        } catch (CertificateException e) {
            throw new HandshakeException("the plugin's certificate in handshake field 6 cannot be read: " + e.getMessage());
        }
    }

    /** The host's side: presents {@code host}, trusts {@code pluginCert} and nothing else, TLS 1.2+. */
    static SslContext clientContext(AutoMtlsIdentity host, X509Certificate pluginCert) {
        try {
            // Not SslContextBuilder: Netty's JdkSslContext would read the JDK's whole trust store into the
            // daemon's heap at its first launch, for a peer that is pinned (see PinnedSslContext).
            return PinnedSslContext.forClient(host, pluginCert);
        } catch (GeneralSecurityException e) {
            throw new PluginStartException("cannot set up TLS to the plugin: " + e.getMessage(), e);
        }
    }
}
