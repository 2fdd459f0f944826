package io.ccf.ar.automtls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents one identity's key and certificate, whatever the peer asks for. Handing TLS the key directly
 * skips what a {@code KeyManagerFactory} needs, a password-protected PKCS#12 key store: its PBKDF2 key
 * derivation cost a cold JVM ~100-190 ms on every plugin start.
 */
final class SingleKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "auto-mtls";

    private final AutoMtlsIdentity identity;

    SingleKeyManager(AutoMtlsIdentity identity) {
        this.identity = identity;
    }

    @Override public String[] getClientAliases(String keyType, Principal[] issuers) { return new String[] {ALIAS}; }
    @Override public String[] getServerAliases(String keyType, Principal[] issuers) { return new String[] {ALIAS}; }
    @Override public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) { return ALIAS; }
    @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return ALIAS; }
    @Override public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) { return ALIAS; }
    @Override public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) { return ALIAS; }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? new X509Certificate[] {identity.certificate()} : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? identity.key() : null;
    }
}
