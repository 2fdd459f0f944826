package io.ccf.ar.automtls;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.time.ZonedDateTime;

/**
 * The DER of a self-signed X.509 v3 certificate in the shape of go-plugin's {@code generateCert}
 * (mtls.go): subject and issuer {@code O=HashiCorp, CN=localhost}, DNS name {@code localhost}, a CA
 * (basic constraints, critical) whose key may sign, encipher, agree keys and sign certificates
 * (key usage, critical), for client and server auth (extended key usage), valid from 30 s ago for
 * 262,980 hours (30 years). Built from JDK APIs only: the key pair's own SubjectPublicKeyInfo and
 * {@link Signature}.
 */
final class SelfSignedCertificate {
    static final Duration BACKDATE = Duration.ofSeconds(30);
    static final Duration VALIDITY = Duration.ofHours(262_980);

    private static final String OID_ORGANIZATION = "2.5.4.10";
    private static final String OID_COMMON_NAME = "2.5.4.3";
    private static final String OID_KEY_USAGE = "2.5.29.15";
    private static final String OID_SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String OID_BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String OID_EXT_KEY_USAGE = "2.5.29.37";
    private static final String OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    /** Key usage bits (RFC 5280 4.2.1.3). */
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_ENCIPHERMENT = 2;
    private static final int KEY_AGREEMENT = 4;
    private static final int KEY_CERT_SIGN = 5;
    /** SubjectAltName's dNSName: [2] IMPLICIT IA5String. */
    private static final int DNS_NAME_TAG = 0x82;

    private SelfSignedCertificate() {
    }

    /**
     * Signs the certificate of {@code pair} with its own private key.
     *
     * @param signatureAlgorithm the JCA name, e.g. {@code SHA256withECDSA}
     * @param signatureOid the same algorithm's OID, e.g. {@code 1.2.840.10045.4.3.2}
     */
    static byte[] der(KeyPair pair, String signatureAlgorithm, String signatureOid, SecureRandom random)
            throws GeneralSecurityException {
        byte[] algorithm = Der.sequence(Der.oid(signatureOid)); // ECDSA: parameters absent (RFC 5758 3.2)
        byte[] name = Der.sequence(
                rdn(OID_ORGANIZATION, "HashiCorp"),
                rdn(OID_COMMON_NAME, "localhost"));
        ZonedDateTime now = ZonedDateTime.now();
        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(BigInteger.TWO)), // v3
                Der.integer(new BigInteger(128, random).setBit(0)), // positive, never zero
                algorithm,
                name,
                Der.sequence(Der.time(now.minus(BACKDATE)), Der.time(now.plus(VALIDITY))),
                name,
                pair.getPublic().getEncoded(), // X.509 SubjectPublicKeyInfo as the JDK encodes it
                Der.explicit(3, Der.sequence(
                        extension(OID_KEY_USAGE, true,
                                Der.namedBits(DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, KEY_AGREEMENT, KEY_CERT_SIGN)),
                        extension(OID_EXT_KEY_USAGE, false,
                                Der.sequence(Der.oid(OID_CLIENT_AUTH), Der.oid(OID_SERVER_AUTH))),
                        extension(OID_BASIC_CONSTRAINTS, true, Der.sequence(Der.bool(true))),
                        extension(OID_SUBJECT_ALT_NAME, false,
                                Der.sequence(Der.tlv(DNS_NAME_TAG, "localhost".getBytes(StandardCharsets.US_ASCII)))))));
        Signature signer = Signature.getInstance(signatureAlgorithm);
        signer.initSign(pair.getPrivate(), random);
        signer.update(tbs);
        return Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));
    }

    private static byte[] rdn(String type, String value) {
        return Der.constructed(Der.SET, Der.sequence(Der.oid(type), Der.printableString(value)));
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value)); // DER omits the default FALSE
    }
}
