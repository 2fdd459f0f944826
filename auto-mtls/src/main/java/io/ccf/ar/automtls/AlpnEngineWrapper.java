package io.ccf.ar.automtls;

import javax.net.ssl.SSLEngine;

/**
 * Makes a JDK {@link SSLEngine}, whose ALPN protocols are set, report the protocol it negotiated to Netty's
 * {@code SslHandler}, which gRPC asks after each handshake. Netty reads it only from engines implementing
 * its package-private {@code ApplicationProtocolAccessor}, so the one implementation lives in Netty's
 * package, in the {@code netty-alpn-engine} artifact, found through {@link java.util.ServiceLoader}: a class
 * path concern that keeps this module free of a split package on the module path. Without a provider
 * {@link PinnedSslContext} falls back to Netty's own {@code JdkSslContext}.
 */
public interface AlpnEngineWrapper {
    /** {@code engine}, reporting its negotiated application protocol to Netty. */
    SSLEngine wrap(SSLEngine engine);
}
