/**
 * go-plugin's auto-mTLS: the one-shot certificates, made and checked with JDK APIs only (so nothing but
 * the JDK's own classes loads for them between a plugin's start and its handshake line), and the Netty TLS
 * context that pins the peer's. The plugin SDK (plugin side) and the runtime (host side) share it.
 */
module io.ccf.ar.automtls {
    exports io.ccf.ar.automtls;
    requires io.grpc.netty.shaded;
    // the netty-alpn-engine artifact on the class path; none on a module path (see AlpnEngineWrapper)
    uses io.ccf.ar.automtls.AlpnEngineWrapper;
}
