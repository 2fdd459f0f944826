package io.ccf.ar.sdk.internal;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * go-plugin AutoMTLS, plugin side (go-plugin's server.go): when the host puts its certificate in
 * {@code PLUGIN_CLIENT_CERT}, the plugin makes a one-shot certificate of its own (the shape of
 * go-plugin's mtls.go: ECDSA P-521, CN and DNS name {@code localhost}, a CA for client and server
 * auth), serves TLS 1.2+ requiring a client certificate, accepts only the host's, and returns its own
 * DER certificate in handshake field 6 (base64, standard alphabet, no padding).
 *
 * <p>BouncyCastle builds the certificate only (JDK 17 has no public API for it); keys, signatures and
 * TLS are the JDK's, and no security provider is registered.
 */
public final class AutoMtls {
    /** The host's certificate, PEM. */
    public static final String ENV_CLIENT_CERT = "PLUGIN_CLIENT_CERT";

    private final SslContext serverContext;
    private final String handshakeField;

    private AutoMtls(SslContext serverContext, String handshakeField) {
        this.serverContext = serverContext;
        this.handshakeField = handshakeField;
    }

    /** The TLS context for the plugin's server. */
    public SslContext serverContext() {
        return serverContext;
    }

    /** Handshake field 6: this plugin's certificate, DER in base64 without padding. */
    public String handshakeField() {
        return handshakeField;
    }

    /**
     * Sets up auto-mTLS for the host certificate {@code clientCertPem}.
     *
     * @throws IllegalArgumentException if the host's certificate cannot be read
     */
    public static AutoMtls forHost(String clientCertPem) throws Exception {
        X509Certificate host = parseHostCert(clientCertPem);
        Identity own = newIdentity();
        SslContextBuilder builder = SslContextBuilder.forServer(own.key(), own.cert())
                .trustManager(new Pinned(host))
                .clientAuth(ClientAuth.REQUIRE)
                .protocols("TLSv1.3", "TLSv1.2");
        // The JDK's TLS: no native library to extract and load at start-up.
        SslContext context = GrpcSslContexts.configure(builder, SslProvider.JDK).build();
        return new AutoMtls(context, Base64.getEncoder().withoutPadding().encodeToString(own.cert().getEncoded()));
    }

    /**
     * The host's side of auto-mTLS, for a host written in Java on top of the SDK (the plugin test
     * harness): a one-shot certificate for {@code PLUGIN_CLIENT_CERT}, and a client TLS context that
     * presents it and trusts exactly the plugin's certificate from handshake field 6.
     */
    public static final class HostSide {
        private final Identity identity;

        private HostSide(Identity identity) {
            this.identity = identity;
        }

        /** A fresh host certificate (ECDSA P-521, as go-plugin's hosts make it). */
        public static HostSide create() throws Exception {
            return new HostSide(newIdentity());
        }

        /** The host's certificate, PEM: the value of {@code PLUGIN_CLIENT_CERT}. */
        public String certificatePem() throws CertificateException {
            return identity.pem();
        }

        /**
         * The TLS context for dialling the plugin.
         *
         * @param handshakeField the plugin's DER certificate, base64 (handshake field 6)
         * @throws IllegalArgumentException if the field is not a certificate
         */
        public SslContext clientContext(String handshakeField) throws javax.net.ssl.SSLException {
            X509Certificate plugin;
            try {
                plugin = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                        new ByteArrayInputStream(Base64.getDecoder().decode(handshakeField.strip())));
            } catch (CertificateException | IllegalArgumentException e) {
                throw new IllegalArgumentException("the plugin's certificate in handshake field 6 cannot be read: "
                        + e.getMessage(), e);
            }
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .keyManager(identity.key(), identity.cert())
                    .trustManager(new Pinned(plugin))
                    .protocols("TLSv1.3", "TLSv1.2");
            return GrpcSslContexts.configure(builder, SslProvider.JDK).build();
        }
    }

    /** A key and its self-signed certificate. */
    record Identity(PrivateKey key, X509Certificate cert) {
        String pem() throws CertificateException {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        }
    }

    /** A fresh key pair and certificate, as go-plugin's generateCert (mtls.go) makes them. */
    static Identity newIdentity() throws Exception {
        SecureRandom random = new SecureRandom();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp521r1"), random);
        KeyPair pair = generator.generateKeyPair();
        long now = System.currentTimeMillis();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "HashiCorp").addRDN(BCStyle.CN, "localhost").build();
        byte[] der = new JcaX509v3CertificateBuilder(name, new BigInteger(128, random), new Date(now - 30_000L),
                new Date(now + 262_980L * 3_600_000L), name, pair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature
                        | KeyUsage.keyEncipherment | KeyUsage.keyAgreement | KeyUsage.keyCertSign))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                        KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}))
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")))
                .build(new JcaContentSignerBuilder("SHA512withECDSA").build(pair.getPrivate()))
                .getEncoded();
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        return new Identity(pair.getPrivate(), cert);
    }

    static X509Certificate parseHostCert(String pem) {
        try {
            Collection<? extends java.security.cert.Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certs.size() != 1) {
                throw new IllegalArgumentException(ENV_CLIENT_CERT + " holds " + certs.size()
                        + " certificates; expected the host's one");
            }
            return (X509Certificate) certs.iterator().next();
        } catch (CertificateException e) {
            throw new IllegalArgumentException(ENV_CLIENT_CERT + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** Trusts the peer's certificate from the handshake and nothing else (go-plugin makes it the only CA). */
    static final class Pinned extends X509ExtendedTrustManager {
        private final X509Certificate pinned;

        Pinned(X509Certificate pinned) {
            this.pinned = pinned;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !chain[0].equals(pinned)) {
                throw new CertificateException("the peer's certificate is not the one exchanged in the go-plugin handshake");
            }
            chain[0].checkValidity();
        }

        @Override public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException { check(c); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException { check(c); }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { check(c); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { check(c); }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { check(c); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { check(c); }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {pinned};
        }
    }
}
