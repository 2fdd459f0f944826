package io.ccf.ar.runtime.plugin;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;

/**
 * go-plugin's AutoMTLS, host side: a one-shot certificate per plugin launch (the shape of go-plugin's
 * mtls.go: ECDSA P-521, CN and DNS name {@code localhost}, a CA usable for client and server auth), the
 * plugin's certificate from handshake field 6, and a TLS context that presents the host's certificate
 * and accepts exactly the plugin's.
 *
 * <p>BouncyCastle builds the certificate (JDK 17 has no public API for it); keys, signatures and TLS
 * are the JDK's own (no security provider is registered).
 */
final class PluginTls {
    /** What go-plugin's hosts treat as a certificate in field 6 (shorter values are legacy "extra" data). */
    static final int MIN_CERT_FIELD_LENGTH = 50;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A private key and its self-signed certificate. */
    record Identity(PrivateKey key, X509Certificate cert) {
        /** The certificate as PEM, what go-plugin puts in PLUGIN_CLIENT_CERT. */
        String pem() {
            try {
                return "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                        + "\n-----END CERTIFICATE-----\n";
            } catch (CertificateException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private PluginTls() {
    }

    /** A fresh key pair and certificate, as go-plugin's generateCert makes them. */
    static Identity generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp521r1"), RANDOM);
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            var name = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, "HashiCorp").addRDN(BCStyle.CN, "localhost").build();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(128, RANDOM),
                    Date.from(now.minusSeconds(30)), Date.from(now.plus(Duration.ofHours(262980))), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature
                            | KeyUsage.keyEncipherment | KeyUsage.keyAgreement | KeyUsage.keyCertSign))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                            KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
            byte[] der = builder.build(new JcaContentSignerBuilder("SHA512withECDSA").build(pair.getPrivate())).getEncoded();
            return new Identity(pair.getPrivate(), parse(der));
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new PluginStartException("cannot make the host's auto-mTLS certificate: " + e, e);
        }
    }

    /** Handshake field 6: the plugin's DER certificate, base64 with the standard alphabet (padding optional). */
    static X509Certificate parseHandshakeCert(String field) throws HandshakeException {
        try {
            return parse(Base64.getDecoder().decode(field.strip()));
        } catch (IllegalArgumentException | CertificateException e) {
            throw new HandshakeException("the plugin's certificate in handshake field 6 cannot be read: " + e.getMessage());
        }
    }

    private static X509Certificate parse(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    /** The host's side: presents {@code host}, trusts {@code pluginCert} and nothing else, TLS 1.2+. */
    static SslContext clientContext(Identity host, X509Certificate pluginCert) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .keyManager(host.key(), host.cert())
                    .trustManager(new PinnedTrustManager(pluginCert))
                    .protocols("TLSv1.3", "TLSv1.2");
            // The JDK's TLS, not netty-tcnative: no native library to load, and P-521 in both directions.
            return GrpcSslContexts.configure(builder, SslProvider.JDK).build();
        } catch (SSLException e) {
            throw new PluginStartException("cannot set up TLS to the plugin: " + e.getMessage(), e);
        }
    }

    /**
     * Trusts exactly one certificate, the peer's own (go-plugin makes it the only root; pinning the very
     * certificate is stricter still: a certificate the plugin's key signed is not accepted either).
     */
    static final class PinnedTrustManager extends X509ExtendedTrustManager {
        private final X509Certificate pinned;

        PinnedTrustManager(X509Certificate pinned) {
            this.pinned = pinned;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !chain[0].equals(pinned)) {
                throw new CertificateException("the peer's certificate is not the one exchanged in the go-plugin handshake");
            }
            chain[0].checkValidity();
        }

        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException { check(chain); }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException { check(chain); }
        @Override public void checkClientTrusted(X509Certificate[] chain, String a, Socket s) throws CertificateException { check(chain); }
        @Override public void checkServerTrusted(X509Certificate[] chain, String a, Socket s) throws CertificateException { check(chain); }
        @Override public void checkClientTrusted(X509Certificate[] chain, String a, SSLEngine e) throws CertificateException { check(chain); }
        @Override public void checkServerTrusted(X509Certificate[] chain, String a, SSLEngine e) throws CertificateException { check(chain); }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {pinned};
        }
    }
}
