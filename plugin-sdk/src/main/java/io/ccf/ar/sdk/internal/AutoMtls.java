package io.ccf.ar.sdk.internal;

import io.ccf.ar.automtls.AutoMtlsIdentity;
import io.ccf.ar.automtls.PeerCertificates;
import io.ccf.ar.automtls.PinnedSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import javax.net.ssl.SSLException;

/**
 * go-plugin AutoMTLS, plugin side (go-plugin's server.go): when the host puts its certificate in
 * {@code PLUGIN_CLIENT_CERT}, the plugin makes a one-shot certificate of its own
 * ({@link AutoMtlsIdentity}: go-plugin's shape, JDK APIs only), serves TLS 1.2+ requiring a client
 * certificate, accepts only the host's, and returns its own DER certificate in handshake field 6
 * (base64, standard alphabet, no padding).
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
        AutoMtlsIdentity own = AutoMtlsIdentity.generate();
        // The JDK's TLS (no native library to extract and load at start-up), without Netty's JdkSslContext
        // (whose static initialiser reads the JDK's trust store): see PinnedSslContext.
        SslContext context = PinnedSslContext.forServer(own, host);
        return new AutoMtls(context, own.handshakeField());
    }

    /**
     * Starts {@link #forHost} on a thread of its own, so that the key generation and TLS set-up (~200 ms of
     * a cold JVM) overlap the rest of the plugin's start; null when the host sent no certificate.
     */
    static Future<AutoMtls> startFor(String clientCertPem) {
        if (clientCertPem == null || clientCertPem.isBlank()) {
            return null;
        }
        FutureTask<AutoMtls> task = new FutureTask<>(() -> forHost(clientCertPem));
        Thread thread = new Thread(task, "plugin-tls-setup");
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    /** The result of {@link #startFor}, or the reason it failed as an IOException. */
    static AutoMtls await(Future<AutoMtls> setup) throws IOException {
        try {
            return setup.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while setting up auto-mTLS", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException("auto-mTLS: " + cause.getMessage(), cause);
        }
    }

    /**
     * The host's side of auto-mTLS, for a host written in Java on top of the SDK (the plugin test
     * harness): a one-shot certificate for {@code PLUGIN_CLIENT_CERT}, and a client TLS context that
     * presents it and trusts exactly the plugin's certificate from handshake field 6.
     */
    public static final class HostSide {
        private final AutoMtlsIdentity identity;

        private HostSide(AutoMtlsIdentity identity) {
            this.identity = identity;
        }

        /** A fresh host certificate. */
        public static HostSide create() throws Exception {
            return new HostSide(AutoMtlsIdentity.generate());
        }

        /** The host's certificate, PEM: the value of {@code PLUGIN_CLIENT_CERT}. */
        public String certificatePem() {
            return identity.pem();
        }

        /**
         * The TLS context for dialling the plugin.
         *
         * @param handshakeField the plugin's DER certificate, base64 (handshake field 6)
         * @throws IllegalArgumentException if the field is not a certificate
         */
        public SslContext clientContext(String handshakeField) throws SSLException {
            X509Certificate plugin;
            try {
                plugin = PeerCertificates.fromHandshakeField(handshakeField);
            } catch (CertificateException e) {
                throw new IllegalArgumentException("the plugin's certificate in handshake field 6 cannot be read: "
                        + e.getMessage(), e);
            }
            try {
                return PinnedSslContext.forClient(identity, plugin);
            } catch (GeneralSecurityException e) {
                throw new SSLException("cannot set up TLS to the plugin: " + e.getMessage(), e);
            }
        }
    }

    static X509Certificate parseHostCert(String pem) {
        try {
            return PeerCertificates.fromPem(pem);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(ENV_CLIENT_CERT + " is not one PEM certificate: " + e.getMessage(), e);
        }
    }
}
