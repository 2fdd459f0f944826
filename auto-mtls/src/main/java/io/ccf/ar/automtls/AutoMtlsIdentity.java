package io.ccf.ar.automtls;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Objects;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * One side's one-shot auto-mTLS identity: a fresh ECDSA key and its self-signed certificate in the shape
 * of go-plugin's mtls.go. go-plugin uses P-521; this uses P-256 (the curve the JDK generates and signs
 * fastest, and one Go's crypto/x509 and TLS accept like P-521), signed with SHA-256.
 *
 * @param key the private key; it never leaves the process that made it
 * @param certificate the self-signed certificate the other side pins
 */
public record AutoMtlsIdentity(PrivateKey key, X509Certificate certificate) {
    /** The curve of every identity made here. */
    public static final String CURVE = "secp256r1";
    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    static final String SIGNATURE_OID = "1.2.840.10045.4.3.2";

    /** Both parts are required. */
    public AutoMtlsIdentity {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(certificate, "certificate");
    }

    /**
     * A fresh key pair and certificate.
     *
     * @throws GeneralSecurityException if the JDK lacks EC key generation or ECDSA (every JDK 17+ has both)
     */
    public static AutoMtlsIdentity generate() throws GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(CURVE), random);
        KeyPair pair = generator.generateKeyPair();
        byte[] der = SelfSignedCertificate.der(pair, SIGNATURE_ALGORITHM, SIGNATURE_OID, random);
        return new AutoMtlsIdentity(pair.getPrivate(), PeerCertificates.fromDer(der));
    }

    /**
     * A key manager presenting this identity, for {@code SSLContext.init} or Netty's
     * {@code SslContextBuilder.forServer(KeyManager)} / {@code keyManager(KeyManager)}: no key store, no
     * password derivation.
     */
    public X509ExtendedKeyManager keyManager() {
        return new SingleKeyManager(this);
    }

    /** The certificate as PEM (64-column base64): what a host puts in {@code PLUGIN_CLIENT_CERT}. */
    public String pem() {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der())
                + "\n-----END CERTIFICATE-----\n";
    }

    /** The certificate as a plugin prints it in handshake field 6: DER, standard base64, no padding. */
    public String handshakeField() {
        return Base64.getEncoder().withoutPadding().encodeToString(der());
    }

    private byte[] der() {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            // it was parsed from DER a moment ago
            throw new IllegalStateException("cannot re-encode the auto-mTLS certificate: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "AutoMtlsIdentity[" + certificate.getSubjectX500Principal() + "]"; // never the key
    }
}
