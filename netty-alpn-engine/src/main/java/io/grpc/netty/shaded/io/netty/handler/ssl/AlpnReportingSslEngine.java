package io.grpc.netty.shaded.io.netty.handler.ssl;

import io.ccf.ar.automtls.AlpnEngineWrapper;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * A JDK {@link SSLEngine} that tells Netty's {@code SslHandler} the protocol ALPN chose. {@code
 * SslHandler.applicationProtocol()}, which gRPC checks after every handshake, reads it only from engines
 * implementing Netty's package-private {@code ApplicationProtocolAccessor}: hence this class in Netty's
 * (shaded) package, the project's only one there, so that {@code io.ccf.ar.automtls.PinnedSslContext} can use
 * the JDK's own ALPN without Netty's {@code JdkSslContext}. Everything else is passed to the JDK's engine.
 */
public final class AlpnReportingSslEngine extends SSLEngine implements ApplicationProtocolAccessor {
    /** The {@link AlpnEngineWrapper} service ({@code META-INF/services}). */
    public static final class Wrapper implements AlpnEngineWrapper {
        /** For {@link java.util.ServiceLoader}. */
        public Wrapper() {
        }

        @Override
        public SSLEngine wrap(SSLEngine engine) {
            return new AlpnReportingSslEngine(engine);
        }
    }

    /** The JDK's engine, which does all the work. */
    private final SSLEngine jdk;

    /** Wraps {@code delegate}, which must have its ALPN protocols set. */
    public AlpnReportingSslEngine(SSLEngine delegate) {
        super(delegate.getPeerHost(), delegate.getPeerPort());
        this.jdk = delegate;
    }

    /** The protocol ALPN chose, or null before the handshake finished or when none was chosen. */
    @Override
    public String getNegotiatedApplicationProtocol() {
        String p = jdk.getApplicationProtocol();
        return p == null || p.isEmpty() ? null : p;
    }

    @Override
    public String getPeerHost() {
        return jdk.getPeerHost();
    }

    @Override
    public int getPeerPort() {
        return jdk.getPeerPort();
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        return jdk.wrap(src, dst);
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, ByteBuffer dst) throws SSLException {
        return jdk.wrap(srcs, dst);
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        return jdk.wrap(srcs, offset, length, dst);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        return jdk.unwrap(src, dst);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts) throws SSLException {
        return jdk.unwrap(src, dsts);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        return jdk.unwrap(src, dsts, offset, length);
    }

    @Override
    public Runnable getDelegatedTask() {
        return jdk.getDelegatedTask();
    }

    @Override
    public void closeInbound() throws SSLException {
        jdk.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
        return jdk.isInboundDone();
    }

    @Override
    public void closeOutbound() {
        jdk.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
        return jdk.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return jdk.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return jdk.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        jdk.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return jdk.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return jdk.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        jdk.setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
        return jdk.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return jdk.getHandshakeSession();
    }

    @Override
    public void beginHandshake() throws SSLException {
        jdk.beginHandshake();
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
        return jdk.getHandshakeStatus();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        jdk.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return jdk.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        jdk.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return jdk.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        jdk.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return jdk.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        jdk.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return jdk.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return jdk.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        jdk.setSSLParameters(params);
    }

    @Override
    public String getApplicationProtocol() {
        return jdk.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return jdk.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        jdk.setHandshakeApplicationProtocolSelector(selector);
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return jdk.getHandshakeApplicationProtocolSelector();
    }
}
