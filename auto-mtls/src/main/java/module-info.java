/**
 * go-plugin's auto-mTLS certificates with JDK APIs only: the plugin SDK (plugin side) and the runtime
 * (host side) both make and check them here. No third-party dependency, so nothing but the JDK's own
 * classes loads between a plugin's start and its handshake line.
 */
module io.ccf.ar.automtls {
    exports io.ccf.ar.automtls;
}
