package io.ccf.ar.runtime.config;

import java.nio.file.Path;

/**
 * The {@code nats.tls:} section. PEM files; relative paths resolve beside the config file.
 *
 * @param caFile     CA certificate(s) the server's certificate must chain to; null: the JVM's default trust store
 * @param certFile   client certificate (chain) for mutual TLS; set together with {@code keyFile}
 * @param keyFile    the client certificate's private key, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY})
 * @param serverName the name the server's certificate must carry (DNS or IP subject alternative name); null: the host
 *                   of the URL the runtime connected to
 */
public record NatsTlsSettings(Path caFile, Path certFile, Path keyFile, String serverName) {
    public NatsTlsSettings {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("certFile and keyFile go together");
        }
    }
}
