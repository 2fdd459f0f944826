package io.ccf.ar.automtls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one certificate, the peer's own from the go-plugin handshake, and only while it is
 * valid. go-plugin makes it the only root; pinning the very certificate is stricter still: a
 * certificate the peer's key signed is not accepted either.
 */
public final class PinnedTrustManager extends X509ExtendedTrustManager {
    private final X509Certificate pinned;

    /** Trusts {@code pinned} and nothing else. */
    public PinnedTrustManager(X509Certificate pinned) {
        this.pinned = Objects.requireNonNull(pinned, "pinned");
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

    /** The pinned certificate: the one issuer a peer may present. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {pinned};
    }
}
