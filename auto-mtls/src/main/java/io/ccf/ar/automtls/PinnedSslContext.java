package io.ccf.ar.automtls;

import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2SecurityUtil;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;

/**
 * The Netty TLS context of one auto-mTLS connection, either side: presents this side's
 * {@link AutoMtlsIdentity}, accepts exactly the peer's pinned certificate ({@link PinnedTrustManager}),
 * TLS 1.3 and 1.2 with HTTP/2's cipher suites, ALPN "h2", and on the server a required client certificate:
 * what {@code GrpcSslContexts.configure(SslContextBuilder..., SslProvider.JDK)} makes.
 *
 * <p>Not through Netty's {@code JdkSslContext} where it can be helped: that class's static initialiser builds
 * the JDK's default TLS context, which parses the JDK's trust store (about 150 CA certificates, kept in the
 * heap; ~90 ms of a cold plugin's start, on its critical path) that a pinned peer never consults. This
 * context hands gRPC the JDK's engines directly, made ALPN-aware for Netty by the {@link AlpnEngineWrapper}
 * of the {@code netty-alpn-engine} artifact; without that artifact (a module path, a jar that left it out)
 * it falls back to {@code JdkSslContext}, which behaves the same and starts slower.
 */
public final class PinnedSslContext extends SslContext {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final List<String> ALPN = List.of("h2");
    @SuppressWarnings("deprecation")
    private static final ApplicationProtocolNegotiator NEGOTIATOR = () -> ALPN;
    /** Looked up once per JVM; empty when no provider is on the class path. */
    private static final Optional<AlpnEngineWrapper> WRAPPER =
            ServiceLoader.load(AlpnEngineWrapper.class, PinnedSslContext.class.getClassLoader()).findFirst();

    private final SSLContext jsse;
    private final boolean client;
    private final List<String> cipherSuites;
    private final AlpnEngineWrapper wrapper;

    private PinnedSslContext(SSLContext jsse, boolean client, List<String> cipherSuites, AlpnEngineWrapper wrapper) {
        super(false);
        this.jsse = jsse;
        this.client = client;
        this.cipherSuites = cipherSuites;
        this.wrapper = wrapper;
    }

    /** The plugin's side: presents {@code own}, requires the host's certificate to be {@code host}. */
    public static SslContext forServer(AutoMtlsIdentity own, X509Certificate host) throws GeneralSecurityException {
        return create(own, host, false);
    }

    /** The host's side: presents {@code own}, requires the plugin's certificate to be {@code plugin}. */
    public static SslContext forClient(AutoMtlsIdentity own, X509Certificate plugin) throws GeneralSecurityException {
        return create(own, plugin, true);
    }

    /** Whether this JVM builds contexts without Netty's {@code JdkSslContext} (an {@link AlpnEngineWrapper} is present). */
    public static boolean skipsNettyDefaults() {
        return WRAPPER.isPresent();
    }

    private static SslContext create(AutoMtlsIdentity own, X509Certificate peer, boolean client)
            throws GeneralSecurityException {
        SSLContext jsse = SSLContext.getInstance("TLS");
        jsse.init(new KeyManager[] {own.keyManager()}, new TrustManager[] {new PinnedTrustManager(peer)}, null);
        // HTTP/2's suites in its order of preference, those this JDK has (Netty's SupportedCipherSuiteFilter).
        Set<String> supported = new HashSet<>(Arrays.asList(jsse.getSupportedSSLParameters().getCipherSuites()));
        List<String> suites = new ArrayList<>();
        for (String suite : Http2SecurityUtil.CIPHERS) {
            if (supported.contains(suite)) {
                suites.add(suite);
            }
        }
        if (suites.isEmpty()) {
            throw new GeneralSecurityException("this JDK offers none of HTTP/2's TLS cipher suites");
        }
        if (WRAPPER.isPresent()) {
            return new PinnedSslContext(jsse, client, List.copyOf(suites), WRAPPER.get());
        }
        return new JdkSslContext(jsse, client, suites, IdentityCipherSuiteFilter.INSTANCE,
                new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ALPN),
                client ? ClientAuth.NONE : ClientAuth.REQUIRE, PROTOCOLS, false);
    }

    @Override
    public boolean isClient() {
        return client;
    }

    @Override
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    @Override
    @SuppressWarnings("deprecation")
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
        return NEGOTIATOR;
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
        return configure(jsse.createSSLEngine());
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        return configure(jsse.createSSLEngine(peerHost, peerPort));
    }

    @Override
    public SSLSessionContext sessionContext() {
        return client ? jsse.getClientSessionContext() : jsse.getServerSessionContext();
    }

    private SSLEngine configure(SSLEngine engine) {
        engine.setUseClientMode(client);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(PROTOCOLS);
        params.setCipherSuites(cipherSuites.toArray(new String[0]));
        params.setApplicationProtocols(ALPN.toArray(new String[0]));
        if (!client) {
            params.setNeedClientAuth(true);
        }
        engine.setSSLParameters(params);
        return wrapper.wrap(engine);
    }
}
