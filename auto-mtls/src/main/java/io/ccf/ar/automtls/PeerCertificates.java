package io.ccf.ar.automtls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;

/** Reads the other side's certificate from where the go-plugin handshake carries it. */
public final class PeerCertificates {
    private PeerCertificates() {
    }

    /**
     * The plugin's certificate from handshake field 6 (DER, standard base64; go-plugin prints it without
     * padding, padding is accepted too).
     *
     * @throws CertificateException if the field is not base64 of one X.509 certificate
     */
    public static X509Certificate fromHandshakeField(String field) throws CertificateException {
        byte[] der;
        try {
            der = Base64.getDecoder().decode(field.strip());
        } catch (IllegalArgumentException e) {
            throw new CertificateException("not base64: " + e.getMessage(), e);
        }
        return fromDer(der);
    }

    /**
     * The host's certificate from {@code PLUGIN_CLIENT_CERT} (PEM).
     *
     * @throws CertificateException if the value is not exactly one PEM certificate
     */
    public static X509Certificate fromPem(String pem) throws CertificateException {
        Collection<? extends Certificate> certificates = factory().generateCertificates(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        if (certificates.size() != 1) {
            throw new CertificateException("found " + certificates.size() + " certificates where one was expected");
        }
        return (X509Certificate) certificates.iterator().next();
    }

    /**
     * One DER-encoded certificate.
     *
     * @throws CertificateException if the bytes are not an X.509 certificate
     */
    public static X509Certificate fromDer(byte[] der) throws CertificateException {
        return (X509Certificate) factory().generateCertificate(new ByteArrayInputStream(der));
    }

    private static CertificateFactory factory() throws CertificateException {
        return CertificateFactory.getInstance("X.509");
    }
}
